/**
 * Log lines: values a request brings (a Content-Type's charset, a payload's namespace in a fault's reason) reach the log with every
 * control character escaped, the C1 controls, DEL, the line separators and the bidi controls as well as the C0
 * ones JSON escapes itself, and each line still parses back to the values as they came.
 */
import { expect } from 'chai';
import { CONTROL_CHARACTER } from '../../src/core/control-characters.js';
import { createLogger } from '../../src/logging/logger.js';
import { rawHttp } from '../foundation/helpers.js';
import { signedCall, useGateway } from '../support/gateway.js';
import { captureLines } from '../support/log-lines.js';

const expectPrintable = (line: string) =>
  expect(CONTROL_CHARACTER.test(line), JSON.stringify(line)).to.equal(false);

describe('log lines', () => {
  it('escape every control character of a value and parse back to it', () => {
    const log = createLogger('info');
    const lines = captureLines(log, 'info');
    const value = 'a\u001b[2Jb\u007fc\u0085d\u009b31me\u2028f\u2029g\u202eh\u2066i\n';
    log.info('exchange refused', { reason: value });
    expect(lines).to.have.length(1);
    expectPrintable(lines[0]!);
    expect(lines[0]).to.include('\\u009b31m').and.include('\\u202e');
    expect((JSON.parse(lines[0]!) as { reason: string }).reason).to.equal(value);
  });

  describe('of exchanges', () => {
    const gateway = useGateway();
    let lines: string[];
    beforeEach(() => {
      lines = captureLines(gateway.log, 'info');
    });

    const refusal = () => {
      const line = lines.find((l) => l.includes('exchange refused'));
      expect(line, lines.join('\n')).to.be.a('string');
      return line!;
    };

    it('a Content-Type charset with C1 controls reaches the log escaped', async () => {
      const response = await rawHttp(gateway.endpoint, {
        body: signedCall().xml,
        headers: { 'content-type': 'text/xml; charset=x\u009b2J\u0085y', soapaction: '"urn:Call"' },
      });
      expect(response.status).to.equal(415);
      const line = refusal();
      expectPrintable(line);
      expect(line).to.include('\\u009b2J');
      expect((JSON.parse(line) as { reason: string }).reason).to.contain('\u009b2J');
    });

    it('a payload namespace with bidi controls and a line separator reaches the log escaped', async () => {
      const namespace = 'urn://example.org/\u202egnp.exe\u202c/\u2028forged/1.0';
      const response = await rawHttp(gateway.endpoint, {
        body: signedCall({ payload: `<x:Thing xmlns:x="${namespace}">t</x:Thing>` }).xml,
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"urn:Call"' },
      });
      expect(response.status).to.equal(500);
      const line = refusal();
      expectPrintable(line);
      expect((JSON.parse(line) as { reason: string }).reason).to.contain(namespace);
    });
  });
});
