/**
 * One composition root: a gateway start reads its key, its certificate and each trusted CA file once, and every
 * part that signs or verifies (answers, the audit trail, the message log, the registry, the services) works
 * with what was read then.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readCallAnswer } from '../../src/client/answer.js';
import { loadConfig } from '../../src/config/config.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { post, signedCall, startTestGateway, type TestGateway } from '../support/gateway.js';

/** Where the files are configured: nowhere on disk, so that any read but through the start's reader fails. */
const VIRTUAL = '/nonexistent/pki';

describe('the composition root', () => {
  const sample = loadConfig({ env: {} }).pki;
  const real = new Map<string, string>();
  const virtual = (file: string) => {
    const path = `${VIRTUAL}/${real.size}-${basename(file)}`;
    real.set(path, file);
    return path;
  };
  const overrides = {
    samples: true, // the sample systems are registered, and the sample CAs and CRLs trusted besides
    'pki.gatewayKey': virtual(sample.gatewayKey),
    'pki.gatewayCertificate': virtual(sample.gatewayCertificate),
    'pki.trustedCaFiles': sample.trustedCaFiles.map(virtual),
  };
  const reads = new Map<string, number>();
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      overrides,
      readPkiFile: (file) => {
        reads.set(file, (reads.get(file) ?? 0) + 1);
        return readFileSync(real.get(file) ?? file, 'utf8');
      },
    });
  });
  after(() => gateway?.stop());

  it('reads the gateway key, its certificate and each trusted CA once at start, and only through its reader', () => {
    expect(sample.trustedCaFiles.length).to.be.above(0);
    for (const file of real.keys()) expect(reads.get(file), real.get(file)).to.equal(1);
    const others = [...sample.trustedCaFiles, ...sample.crlFiles];
    expect([...reads.keys()].filter((file) => !real.has(file)).sort()).to.deep.equal(others.sort());
    for (const file of others) expect(reads.get(file), file).to.equal(1);
  });

  it('signs answers and checkpoints with that key, reading no PKI file again', async () => {
    const before = new Map(reads);
    const response = await post(gateway, signedCall().xml);
    expect(response.status, response.body).to.equal(200);
    expect(readCallAnswer(response.body, loadTrustStore({ ...gateway.config, pki: sample })).kind).to.equal(
      'answer',
    );
    await gateway.checkpoint();
    expect(reads).to.deep.equal(before);
  });
});
