/**
 * The README's tour, command by command, against a gateway on a non-default port: the signed ping, the daily
 * registry example sent with `--today` (dated the day it is sent), and the cards loop acting on one card.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { moscowDate } from '../../src/providers/certificates/rules.js';
import { freePort, spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import { runCli } from './support.js';

describe('the README tour', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'smev-tour-'));
  let gateway: ChildGateway;
  let env: Record<string, string>;

  before(async () => {
    gateway = await spawnGateway({ env: { SQLITE_FILE: join(dir, 'gateway.db') } });
    env = { PORT: String(gateway.port), SQLITE_FILE: join(dir, 'gateway.db') };
  });
  after(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the signed ping to the gateway PORT names', async () => {
    const run = await runCli(['send', '--system', 'DEMO_CONSUMER', 'examples/ping.xml'], { env });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('<Text>Hello, gateway</Text>');
  });

  it('dates the daily registry example today with --today', async () => {
    // Both clocks are the wall clock here: the CLI's (which dates the request) and the gateway's.
    const before = moscowDate(new Date());
    const run = await runCli(
      [
        'send',
        '--system',
        'DEMO_CONSUMER',
        '--today',
        '--json',
        'examples/certificates/DailyRegistryRequest.xml',
      ],
      { env },
    );
    const after = moscowDate(new Date());
    expect(run.code, run.stderr).to.equal(0);
    const answer = JSON.parse(run.stdout) as { kind: string; payload: string };
    expect(answer.kind).to.equal('answer');
    const date = /<(?:\w+:)?RegistryDate>([^<]+)</.exec(answer.payload)?.[1];
    expect([before, after]).to.include(date);
  });

  it('health follows PORT: up for the running gateway, exit 1 where none answers', async () => {
    const up = await runCli(['health'], { env });
    expect(up.code, up.stderr).to.equal(0);
    expect(up.stdout).to.equal(`http://127.0.0.1:${gateway.port}/health: up\n`);
    const none = await runCli(['health'], { env: { PORT: String(await freePort()) } });
    expect(none.code).to.equal(1);
    expect(none.stdout).to.match(/\/health: no answer\n$/);
  });

  it('runs the cards loop on the one card it registers', async () => {
    const statuses: string[] = [];
    for (const request of [
      'CardRegistrationRequest',
      'CardStatusRequest',
      'CardBlockRequest',
      'CardUnblockRequest',
      'CardDeregisterRequest',
    ]) {
      const run = await runCli(['send', '--system', 'SOCCARD_28', `examples/cards/${request}.xml`], { env });
      expect(run.code, `${request}: ${run.stdout}${run.stderr}`).to.equal(0);
      const id = /<(?:\w+:)?SocialCardId>([^<]+)</.exec(run.stdout)?.[1];
      statuses.push(`${id} ${/<(?:\w+:)?Status>([^<]+)</.exec(run.stdout)?.[1]}`);
    }
    const id = statuses[0]?.split(' ')[0];
    expect(statuses).to.deep.equal([
      `${id} ACTIVE`,
      `${id} ACTIVE`,
      `${id} BLOCKED`,
      `${id} ACTIVE`,
      `${id} DEREGISTERED`,
    ]);
  });
});
