/**
 * Asks a time-stamping authority for a token over HTTP (`application/timestamp-query`, RFC 3161 section 3.4)
 * and checks the token before it is kept: over our data, with our nonce, signed by the configured TSA.
 */
import { readFileSync } from 'node:fs';
import { timestampRequest, tokenOfResponse, verifyTimestampToken, TimestampError } from './rfc3161.js';

export interface Timestamper {
  /** A verified token (DER) over `data`; throws when the TSA cannot be reached or answers wrongly. */
  stamp(data: Buffer): Promise<Buffer>;
}

export class TsaClient implements Timestamper {
  private readonly certificatePem: string;

  constructor(
    private readonly url: string,
    tsaCertificateFile: string,
    private readonly timeoutMs = 5000,
  ) {
    this.certificatePem = readFileSync(tsaCertificateFile, 'utf8');
  }

  async stamp(data: Buffer): Promise<Buffer> {
    const request = timestampRequest(data);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
        body: request.der,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new TimestampError(`the TSA at ${this.url} cannot be reached: ${(error as Error).message}`);
    }
    if (!response.ok) throw new TimestampError(`the TSA at ${this.url} answered HTTP ${response.status}`);
    const token = tokenOfResponse(Buffer.from(await response.arrayBuffer()));
    verifyTimestampToken(token, data, this.certificatePem, request.nonce);
    return token;
  }
}
