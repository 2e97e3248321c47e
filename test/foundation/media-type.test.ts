/**
 * The one reading of Content-Type values (soap/media-type.ts), for the request and for MTOM parts: quoted values
 * keep their `;` and escapes, and what two readers could read differently is refused as UnsupportedMediaType.
 */
import { expect } from 'chai';
import { GatewayFault } from '../../src/core/faults.js';
import { parseMediaType } from '../../src/soap/media-type.js';
import { readRequestHead, SOAP12 } from '../../src/soap/version.js';

const refusal = (text: string): string => {
  try {
    parseMediaType(text);
  } catch (error) {
    expect(error).to.be.instanceOf(GatewayFault);
    expect((error as GatewayFault).code).to.equal('UnsupportedMediaType');
    return (error as Error).message;
  }
  throw new Error(`${text} was read`);
};

describe('media types', () => {
  it('reads the type in lower case and the parameters by lower-case name, values unquoted', () => {
    const type = parseMediaType(
      ' Multipart/Related ; TYPE="application/xop+xml";boundary=uuid:1; start="<a@b>";',
    );
    expect(type.essence).to.equal('multipart/related');
    expect([...type.params]).to.deep.equal([
      ['type', 'application/xop+xml'],
      ['boundary', 'uuid:1'],
      ['start', '<a@b>'],
    ]);
    expect(parseMediaType('a/b; x="say \\"hi\\"; charset=koi8-r"').params.get('x')).to.equal(
      'say "hi"; charset=koi8-r',
    );
  });

  it('a quoted action holding ";charset=" names no charset (a split on ";" read one)', () => {
    const head = readRequestHead('application/soap+xml; action="urn:Call;charset=utf-16"', undefined);
    expect(head.version).to.equal(SOAP12);
    expect(head.action).to.equal('urn:Call;charset=utf-16');
  });

  it('refuses a parameter given twice, whatever its case', () => {
    expect(refusal('text/xml; charset=utf-8; Charset=utf-8')).to.contain('charset parameter twice');
    expect(refusal('multipart/related; boundary=a; boundary=b')).to.contain('boundary parameter twice');
  });

  for (const text of [
    'text/xml; charset',
    'text/xml; charset =utf-8',
    'text/xml; charset= utf-8',
    'text/xml; charset=',
    'text/xml; action="urn:Call"junk',
    'text/xml; action="urn:Call',
    'text/xml; a"b=c',
    'text/xml; charset=utf-8\r\nX: y',
    'text',
    'text/xml/x',
    '',
  ]) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(refusal(text)).to.match(/malformed/);
    });
  }
});
