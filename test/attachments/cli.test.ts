/**
 * The command line with stored files: `queue send-request --attach-stored` uploads the file and names it in the
 * signed RefAttachmentHeaderList; `queue get-request --save-attachments` fetches it with the handed-out credential
 * and checks it against the signed Hash; a queue command prints the reason of a fault it gets.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/support.js';
import { useGateway } from '../support/gateway.js';
import { addQueueRoute, CONSUMER, PROVIDER, QUESTION_PAYLOAD } from '../queue/support.js';

describe('CLI: files by reference through the attachment store', function () {
  this.timeout(60_000);
  let dir: string;
  let token: string;

  const gateway = useGateway();
  before(async () => {
    await addQueueRoute(gateway);
    dir = mkdtempSync(join(tmpdir(), 'smev-gateway-cli-files-'));
    const system = (await gateway.registry.listSystems({ name: 'test', role: 'operator' })).find(
      (s) => s.mnemonic === CONSUMER,
    );
    token = (
      await gateway.registry.createToken({ name: 'test', role: 'operator' }, 'cli uploads', 'participant', {
        participantId: system?.participantId ?? '',
      })
    ).token;
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the reason of a fault the gateway answers, read from the parsed fault', async () => {
    const refused = await runCli([
      'queue',
      'ack',
      '00000000-0000-1000-8000-000000000000',
      '-s',
      PROVIDER,
      '-u',
      gateway.endpoint,
    ]);
    expect(refused.code).to.equal(1);
    expect(refused.stdout).to.match(
      /^fault \(HTTP 500\): .*was handed no message 00000000-0000-1000-8000-000000000000/m,
    );
  });

  it('sends a stored file with send-request and fetches it with get-request', async () => {
    const payload = join(dir, 'question.xml');
    writeFileSync(payload, QUESTION_PAYLOAD);
    const file = join(dir, 'statement.pdf');
    writeFileSync(file, Buffer.from('%PDF-1.4 a statement'));
    const sent = await runCli(
      ['queue', 'send-request', payload, '-s', CONSUMER, '-u', gateway.endpoint, '--attach-stored', file],
      { env: { SMEV_GATEWAY_TOKEN: token } },
    );
    expect(sent.code, sent.stderr + sent.stdout).to.equal(0);
    expect(sent.stdout).to.match(/stored statement\.pdf as [0-9a-f-]{36} \(20 bytes\)/);
    expect(sent.stdout).to.match(/queued /);

    const saveTo = join(dir, 'received');
    const taken = await runCli([
      'queue',
      'get-request',
      '-s',
      PROVIDER,
      '-u',
      gateway.endpoint,
      '--save-attachments',
      saveTo,
    ]);
    expect(taken.code, taken.stderr + taken.stdout).to.equal(0);
    const uuid = /stored file ([0-9a-f-]{36}) \(statement\.pdf, 20 bytes, hash checked\) saved as (\S+)/.exec(
      taken.stdout,
    );
    expect(uuid, taken.stdout).to.not.equal(null);
    expect(readFileSync(uuid?.[2] ?? '').toString()).to.equal('%PDF-1.4 a statement');
  });

  it('says plainly when --attach-stored has no token', async () => {
    const payload = join(dir, 'question.xml');
    const run = await runCli([
      'queue',
      'send-request',
      payload,
      '-s',
      CONSUMER,
      '-u',
      gateway.endpoint,
      '--attach-stored',
      join(dir, 'statement.pdf'),
    ]);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('--attach-stored needs a participant token');
  });
});
