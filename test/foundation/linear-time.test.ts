/**
 * Values a sender controls are never matched by a pattern whose time grows faster than their length (the lint rules
 * regexp/no-super-linear-backtracking and -move hold the gateway's patterns to that). Each test sends or reads a
 * run that such a pattern would try from every position: hundreds of thousands of characters, which would hold a
 * worker for minutes, are refused or read at once. The bound is only a hang bound; bench/ measures speed.
 */
import { expect } from 'chai';
import { trimmed, withoutTrailing } from '../../src/core/trim.js';
import { withoutValues } from '../../src/xml/validation-message.js';
import { SOAP11 } from '../../src/soap/version.js';
import { multipartParts } from '../../src/soap/multipart.js';
import { signedCallWith, useGateway } from '../support/gateway.js';
import { postSoapRaw, withHeaderBlocks } from './helpers.js';

const RUN = 400_000;
const HANG_MS = 15_000;

describe('linear time over crafted runs', function () {
  this.timeout(HANG_MS);

  it('trims a run broken by another character: the run, not the ends, is kept', () => {
    const run = ' '.repeat(RUN);
    expect(trimmed(`x${run}x`, ' \t')).to.equal(`x${run}x`);
    expect(trimmed(` \t${run}x${run}\t`, ' \t')).to.equal('x');
    expect(withoutTrailing(`a${'/'.repeat(RUN)}b//`, '/')).to.equal(`a${'/'.repeat(RUN)}b`);
    expect(trimmed('   ', ' ')).to.equal('');
  });

  it('takes a crafted value out of a schema message', () => {
    const crafted = `Element 'x': [facet 'pattern'] ${"The value '".repeat(RUN / 10)}' is not accepted by the pattern 'p'.`;
    expect(withoutValues(crafted)).to.equal(
      "Element 'x': [facet 'pattern'] The value '(value not shown)' is not accepted by the pattern 'p'.",
    );
  });

  it('reads an MTOM part header with a long run of spaces inside its value, and refuses a header block over 8 KB', () => {
    const part = (value: string) =>
      Buffer.from(`--b\r\nContent-Type: text/plain\r\nX-A: ${value}\r\n\r\n<x/>\r\n--b--\r\n`);
    const [read] = [...multipartParts(part(`a${' '.repeat(7000)}b `), 'b')];
    expect(read?.headers.get('x-a')).to.equal(`a${' '.repeat(7000)}b`);
    expect(() => [...multipartParts(part(`a${' '.repeat(RUN)}b`), 'b')]).to.throw(/longer than 8192 bytes/);
  });

  describe('through the endpoint', () => {
    const gateway = useGateway();

    it('a header block whose actor is a long run of spaces between two letters is answered', async () => {
      const actor = `x${' '.repeat(RUN)}x`;
      const { xml } = signedCallWith((x) =>
        withHeaderBlocks(
          x,
          `<t:Trace xmlns:t="urn://example.test/trace" soap:actor="${actor}" soap:mustUnderstand="1">t</t:Trace>`,
        ),
      );
      const response = await postSoapRaw(gateway.endpoint, xml, SOAP11);
      // For another actor: not processed, so the request is answered.
      expect(response.status, response.body.slice(0, 300)).to.equal(200);
    });
  });
});
