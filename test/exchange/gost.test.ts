/**
 * GOST R 34.10-2012 signatures through the real endpoint (SQLite): the seeded GOST sample system calls the
 * gateway, a gateway configured with the GOST sample key answers with GOST signatures our client verifies, and
 * every way a GOST signature can be wrong is refused with a SignatureVerificationFault or SenderIsNotRegistered.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { readCallAnswer } from '../../src/client/answer.js';
import { buildCallRequest, signCallRequest } from '../../src/client/request.js';
import { createAuditTrail } from '../../src/audit/setup.js';
import { verifyStoredLog } from '../../src/messagelog/store-verify.js';
import {
  GOST2012_256,
  GOST2012_256_MORE,
  RSA_SHA256,
  STREEBOG256,
  STREEBOG256_MORE,
} from '../../src/signature/algorithms.js';
import { addYears } from '../../src/sample-pki/issue.js';
import { gostSelfSigned, issueGostCertificate } from '../../src/sample-pki/gost-issue.js';
import { GOST_SAMPLE_SYSTEM } from '../../src/sample-pki/sample.js';
import { thumbprint, pemBody } from '../../src/signature/pki/thumbprint.js';
import { loadTrustStore } from '../../src/signature/setup.js';
import { loadSigningKey, type SigningKey } from '../../src/signature/signing-key.js';
import { SOAP11, SOAP12 } from '../../src/soap/version.js';
import { PING_PAYLOAD, post, sampleKey, signedCall, useGateway } from '../support/gateway.js';

const GOST_DIR = 'certs-sample/gost';
const read = (file: string) => readFileSync(file, 'utf8');

function gostCall(key: SigningKey, profile: 'xmldsig' | 'smev' = 'xmldsig', version = SOAP11): string {
  const request = buildCallRequest({ version, payload: PING_PAYLOAD });
  return signCallRequest(request.xml, key, profile);
}

/** Replaces the first SignatureValue's content by the same bytes with one bit flipped. */
function flipSignatureBit(xml: string): string {
  return xml.replace(/<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/, (_m, value: string) => {
    const bytes = Buffer.from(value, 'base64');
    bytes[10] = bytes[10]! ^ 0x01;
    return `<ds:SignatureValue>${bytes.toString('base64')}</ds:SignatureValue>`;
  });
}

describe('GOST R 34.10-2012 requests through the endpoint (SQLite, RSA gateway key)', function () {
  this.timeout(60_000);
  const gateway = useGateway();

  for (const profile of ['xmldsig', 'smev'] as const) {
    for (const version of [SOAP11, SOAP12]) {
      it(`answers a GOST-signed Call from ${GOST_SAMPLE_SYSTEM} (${profile} profile, SOAP ${version.name})`, async () => {
        const xml = gostCall(sampleKey(GOST_SAMPLE_SYSTEM), profile, version);
        expect(xml).to.contain(`Algorithm="${GOST2012_256}"`).and.contain(`Algorithm="${STREEBOG256}"`);
        const response = await post(gateway, xml, version);
        expect(response.status, response.body).to.equal(200);
        const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
        expect(answer.kind).to.equal('answer');
        if (answer.kind === 'answer') expect(answer.payload).to.contain('<Text>hello</Text>');
        expect(response.body).to.contain(`<ns2:Mnemonic>${GOST_SAMPLE_SYSTEM}</ns2:Mnemonic>`);
      });
    }
  }

  it('accepts the xmldsig-more names of the same algorithms', async () => {
    const key = { ...sampleKey(GOST_SAMPLE_SYSTEM), signatureAlgorithm: GOST2012_256_MORE };
    const xml = gostCall(key);
    expect(xml).to.contain(`Algorithm="${GOST2012_256_MORE}"`).and.contain(`Algorithm="${STREEBOG256_MORE}"`);
    const response = await post(gateway, xml);
    expect(response.status, response.body).to.equal(200);
  });

  it('refuses a GOST request whose signature value was altered', async () => {
    const response = await post(gateway, flipSignatureBit(gostCall(sampleKey(GOST_SAMPLE_SYSTEM))));
    expect(response.status).to.equal(500);
    expect(response.body).to.contain('SignatureVerificationFault').and.contain('SignatureIsInvalid');
  });

  it('refuses a GOST request whose signed content was altered', async () => {
    const xml = gostCall(sampleKey(GOST_SAMPLE_SYSTEM)).replace('>hello<', '>hallo<');
    const response = await post(gateway, xml);
    expect(response.body).to.contain('SignatureIsInvalid').and.contain('does not match its digest');
  });

  it('refuses a GOST request signed by a trusted certificate not registered to the system', async () => {
    const ca = { certPem: read(`${GOST_DIR}/ca.crt.pem`), keyPem: read(`${GOST_DIR}/ca.key.pem`) };
    const now = new Date();
    const other = issueGostCertificate(ca, {
      commonName: GOST_SAMPLE_SYSTEM,
      mnemonic: GOST_SAMPLE_SYSTEM,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: addYears(now, 1),
    });
    const response = await post(gateway, gostCall(loadSigningKey(other.keyPem, other.certPem)));
    expect(response.body).to.contain('SenderIsNotRegistered');
  });

  it("refuses a GOST request signed with the gateway's own GOST certificate (registered to no system)", async () => {
    const key = loadSigningKey(read(`${GOST_DIR}/gateway.key.pem`), read(`${GOST_DIR}/gateway.crt.pem`));
    const response = await post(gateway, gostCall(key));
    expect(response.body).to.contain('SenderIsNotRegistered');
  });

  it('refuses a self-signed GOST certificate', async () => {
    const now = new Date();
    const self = gostSelfSigned({ commonName: 'intruder', notBefore: now, notAfter: addYears(now, 1) });
    const response = await post(gateway, gostCall(loadSigningKey(self.keyPem, self.certPem)));
    expect(response.body).to.contain('SignatureVerificationFault').and.contain('CertificateIsNotTrusted');
  });

  it('refuses a GOST SignatureMethod over an RSA certificate, and RSA-SHA256 over a GOST certificate', async () => {
    // Each request is signed correctly, then the algorithm names are swapped: the key decides which are allowed.
    const rsaAsGost = signedCall()
      .xml.replace(RSA_SHA256, GOST2012_256)
      .replace('http://www.w3.org/2001/04/xmlenc#sha256', STREEBOG256);
    const gostAsRsa = gostCall(sampleKey(GOST_SAMPLE_SYSTEM))
      .replace(GOST2012_256, RSA_SHA256)
      .replace(STREEBOG256, 'http://www.w3.org/2001/04/xmlenc#sha256');
    for (const xml of [rsaAsGost, gostAsRsa]) {
      const response = await post(gateway, xml);
      expect(response.status).to.equal(500);
      expect(response.body)
        .to.contain('SignatureVerificationFault')
        .and.match(/needs a (rsa|gost2012-256) key/);
    }
  });

  it('refuses a GOST signature whose digest is not a GOST digest', async () => {
    const xml = gostCall(sampleKey(GOST_SAMPLE_SYSTEM)).replace(
      STREEBOG256,
      'http://www.w3.org/2001/04/xmlenc#sha256',
    );
    const response = await post(gateway, xml);
    expect(response.body).to.contain('SignatureVerificationFault').and.contain('does not go with');
  });
});

describe('a gateway configured with the GOST sample key (SQLite)', function () {
  this.timeout(60_000);
  const gatewayCertificate = read(`${GOST_DIR}/gateway.crt.pem`);
  const gateway = useGateway({
    overrides: {
      'pki.gatewayKey': `${GOST_DIR}/gateway.key.pem`,
      'pki.gatewayCertificate': `${GOST_DIR}/gateway.crt.pem`,
      'messageLog.checkpointEvery': 1,
    },
  });

  for (const system of ['DEMO_CONSUMER', GOST_SAMPLE_SYSTEM]) {
    it(`answers ${system} with GOST signatures the client verifies`, async () => {
      const response = await post(gateway, signedCall({ system }).xml);
      expect(response.status, response.body).to.equal(200);
      const answer = readCallAnswer(response.body, loadTrustStore(gateway.config));
      expect(answer.kind).to.equal('answer');
      if (answer.kind !== 'answer') return;
      expect(answer.gatewayCertificate).to.equal(thumbprint(pemBody(gatewayCertificate)));
      expect(answer.providerCertificate).to.equal(answer.gatewayCertificate);
      const methods = [...response.body.matchAll(/<ds:SignatureMethod Algorithm="([^"]+)"/g)].map(
        (m) => m[1],
      );
      expect(methods).to.deep.equal([GOST2012_256, GOST2012_256]);
    });
  }

  it('signs its faults with GOST too', async () => {
    const first = signedCall({ system: GOST_SAMPLE_SYSTEM });
    await post(gateway, first.xml);
    const again = await post(gateway, first.xml);
    const answer = readCallAnswer(again.body, loadTrustStore(gateway.config));
    expect(answer.kind).to.equal('fault');
    if (answer.kind !== 'fault') return;
    expect(answer.element).to.equal('MessageIsAlreadySent');
    expect(answer.gatewayCertificate).to.equal(thumbprint(pemBody(gatewayCertificate)));
  });

  it('detects a GOST answer altered on the way', async () => {
    const response = await post(gateway, signedCall().xml);
    const altered = response.body.replace('>hello<', '>hallo<');
    expect(() => readCallAnswer(altered, loadTrustStore(gateway.config))).to.throw(/digest/);
  });

  it('signs message-log and audit checkpoints with the GOST key, and both chains verify', async () => {
    await post(gateway, signedCall().xml);
    await gateway.checkpoint();
    const trust = loadTrustStore(gateway.config);
    const log = await verifyStoredLog(gateway.store, { checkpointSigners: trust });
    expect(log.problems).to.deep.equal([]);
    expect(log.checkpoints).to.be.greaterThan(0);
    const trail = createAuditTrail(gateway.store, gateway.config);
    await trail.checkpoint();
    const audit = await trail.verify(trust);
    expect(audit.problems).to.deep.equal([]);
    expect(audit.checkpoints).to.be.greaterThan(0);
  });

  it('`smev-gateway send` signs with the GOST sample key and verifies the GOST answer', async () => {
    const { stdout } = await promisify(execFile)('node', [
      'dist/src/cli/main.js',
      'send',
      '-s',
      GOST_SAMPLE_SYSTEM,
      '-u',
      gateway.endpoint,
      '--profile',
      'smev',
      '--json',
      'examples/ping.xml',
    ]);
    const printed = JSON.parse(stdout) as { kind: string; gatewayCertificate: string };
    expect(printed.kind).to.equal('answer');
    expect(printed.gatewayCertificate).to.equal(thumbprint(pemBody(gatewayCertificate)));
  });
});
