/**
 * Interoperability with Python zeep (Debian's python3-zeep), a SOAP client written without this gateway in mind:
 * it loads the WSDL and every schema over HTTP in strict mode, builds an unsigned Call from objects on both ports
 * (refused with a fault zeep reads), and sends a signed Call through its own transport, reading the answer with
 * its own binding against the WSDL. zeep must be installed (CI installs it): this test fails, never skips,
 * without it. The client is test/interop/zeep_client.py.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { OPERATIONS } from '../../src/soap/operations.js';
import { signedCall, startTestGateway, type TestGateway } from '../support/gateway.js';

const run = promisify(execFile);

interface ZeepSaw {
  ports: Record<string, string[]>;
  unsigned11: { fault?: string; detailCode?: string };
  unsigned12: { fault?: string; detailCode?: string };
  signed: { status: number; payload: string; text: string; originalMessageId: string; sender: string };
}

describe('interop: Python zeep as a SOAP client', function () {
  this.timeout(60_000);
  let gateway: TestGateway;
  let dir: string;
  let saw: ZeepSaw;
  let messageId: string;

  before(async () => {
    gateway = await startTestGateway();
    dir = mkdtempSync(join(tmpdir(), 'smev-zeep-'));
    const call = signedCall({
      payload:
        '<ping:PingRequest xmlns:ping="urn://smev-gateway/services/ping/1.0"><ping:Text>signed for zeep</ping:Text></ping:PingRequest>',
    });
    messageId = call.messageId;
    writeFileSync(join(dir, 'signed.xml'), call.xml);
    // Not spawnSync: the gateway answers zeep from this very process.
    const { stdout } = await run(
      '/usr/bin/python3',
      ['test/interop/zeep_client.py', gateway.endpoint, join(dir, 'signed.xml')],
      { timeout: 50_000 },
    );
    saw = JSON.parse(stdout) as ZeepSaw;
  });
  after(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the WSDL and its schemas strictly and sees every operation on both ports', () => {
    const names = OPERATIONS.map((operation) => operation.name).sort();
    expect(saw.ports).to.deep.equal({
      SMEVMessageExchangeEndpoint: names,
      SMEVMessageExchangeSoap12Endpoint: names,
    });
  });

  it('reads the fault for an unsigned Call it built, in SOAP 1.1 and 1.2', () => {
    expect(saw.unsigned11).to.deep.equal({ fault: 'soap:Client', detailCode: 'NoSignatureFound' });
    expect(saw.unsigned12).to.deep.equal({ fault: 'soap:Sender', detailCode: 'NoSignatureFound' });
  });

  it('sends a signed Call and reads the signed answer with its own binding', () => {
    expect(saw.signed).to.deep.equal({
      status: 200,
      payload: 'PingResponse',
      text: 'signed for zeep',
      originalMessageId: messageId,
      sender: 'SMEV_GATEWAY',
    });
  });
});
