import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { TsaClient } from '../../src/timestamp/tsa-client.js';
import {
  TimestampError,
  timestampRequest,
  tokenOfResponse,
  verifyTimestampToken,
} from '../../src/timestamp/rfc3161.js';
import { startTestTsa, type TestTsa } from '../support/tsa.js';

describe('RFC 3161 time-stamps from a real TSA on loopback (openssl ts -reply)', function () {
  this.timeout(60_000);
  let tsa: TestTsa;
  const data = Buffer.from('smev-gateway-message-log-checkpoint\nhead\ni\n7\nabc\n1');

  before(async () => {
    tsa = await startTestTsa();
  });
  after(async () => {
    await tsa.stop();
  });

  it('gets a token that our verifier and `openssl ts -verify` both accept over the same data', async () => {
    const token = await new TsaClient(tsa.url, tsa.certificateFile).stamp(data);
    const verified = verifyTimestampToken(token, data, readFileSync(tsa.certificateFile, 'utf8'));
    expect(Math.abs(verified.genTime.getTime() - Date.now())).to.be.below(60_000);
    writeFileSync(join(tsa.dir, 'token.der'), token);
    writeFileSync(join(tsa.dir, 'data.bin'), data);
    const out = execFileSync(
      'openssl',
      [
        'ts',
        '-verify',
        '-data',
        'data.bin',
        '-in',
        'token.der',
        '-token_in',
        '-CAfile',
        'ca.pem',
        '-untrusted',
        'tsa.pem',
      ],
      { cwd: tsa.dir, encoding: 'utf8' },
    );
    expect(out).to.contain('Verification: OK');
  });

  it('refuses a token over other data, or checked with another certificate', async () => {
    const token = await new TsaClient(tsa.url, tsa.certificateFile).stamp(data);
    expect(() =>
      verifyTimestampToken(token, Buffer.from('other'), readFileSync(tsa.certificateFile, 'utf8')),
    ).to.throw(TimestampError, /imprint does not match/);
    expect(() => verifyTimestampToken(token, data, readFileSync(tsa.caFile, 'utf8'))).to.throw(
      TimestampError,
      /signature does not verify/,
    );
  });

  it('refuses a token whose signed content was altered, and names garbage as not DER', async () => {
    const token = await new TsaClient(tsa.url, tsa.certificateFile).stamp(data);
    const cert = readFileSync(tsa.certificateFile, 'utf8');
    // Flip one byte of the signature at the end of the token.
    const altered = Buffer.from(token);
    altered[altered.length - 5] = (altered[altered.length - 5] ?? 0) ^ 0x01;
    expect(() => verifyTimestampToken(altered, data, cert)).to.throw(TimestampError);
    expect(() => verifyTimestampToken(Buffer.from('not a token'), data, cert)).to.throw(
      TimestampError,
      /DER/,
    );
    expect(() => tokenOfResponse(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x02]))).to.throw(
      TimestampError,
      /refused|no token|malformed/,
    );
  });

  it('names the nonce of a request in the token, and a foreign nonce is refused', async () => {
    const cert = readFileSync(tsa.certificateFile, 'utf8');
    // Random nonces, and the ones whose first byte is 0 or has its top bit set: each must come back as sent.
    for (const nonce of [
      undefined,
      '0001020304050607',
      '0081020304050607',
      '8000000000000001',
      '0000000000000000',
    ]) {
      const request = timestampRequest(data, nonce === undefined ? undefined : Buffer.from(nonce, 'hex'));
      const response = await fetch(tsa.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: request.der,
      });
      const token = tokenOfResponse(Buffer.from(await response.arrayBuffer()));
      expect(() => verifyTimestampToken(token, data, cert, request.nonce), nonce).to.not.throw();
      expect(() => verifyTimestampToken(token, data, cert, Buffer.from([1, 2, 3]))).to.throw(/nonce/);
    }
  });

  it('a TSA that is down is a clear TimestampError, not a crash', async () => {
    await tsa.down();
    try {
      const error = await new TsaClient(tsa.url, tsa.certificateFile, 2000)
        .stamp(data)
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TimestampError);
      expect((error as Error).message).to.match(/cannot be reached/);
    } finally {
      await tsa.up();
    }
  });
});
