import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseDom, type Element } from '../../../src/xml/dom.js';
import { SchemaSet } from '../../../src/xml/schemas.js';
import {
  LAB_RESULTS_NS,
  decodeLabResultsRequest,
  encodeLabResultsAnswer,
  labResultsCodec,
  type LabResultsAnswer,
} from '../../../src/providers/lab-results/codec.js';

const payload = (xml: string): Element => parseDom(xml).documentElement as Element;
const wrap = (name: string, inner: string) => `<t:${name} xmlns:t="${LAB_RESULTS_NS}">${inner}</t:${name}>`;

describe('lab-results service codec and schema', () => {
  let schemas: SchemaSet;
  before(() => (schemas = SchemaSet.compile('xsd/tests-1.0.xsd')));
  after(() => schemas.dispose());

  it('lists its four request elements', () => {
    expect(labResultsCodec.requests).to.deep.equal([
      'VisitRegistrationRequest',
      'EntryCheckRequest',
      'PositiveResultRequest',
      'ContactsRequest',
    ]);
  });

  it('has one valid example per request type, each decoding', () => {
    const files = readdirSync('examples/tests').filter((f) => f.endsWith('.xml'));
    for (const request of labResultsCodec.requests) expect(files).to.include(`${request}.xml`);
    for (const file of files) {
      const xml = readFileSync(`examples/tests/${file}`, 'utf8');
      expect(schemas.validate(xml), file).to.deep.equal([]);
      expect(() => decodeLabResultsRequest(payload(xml)), file).not.to.throw();
    }
  });

  it('decodes each request', () => {
    expect(
      decodeLabResultsRequest(
        payload(
          wrap(
            'VisitRegistrationRequest',
            '<t:VenueCode>REG-1</t:VenueCode><t:Phone>+7 900 111-22-33</t:Phone>',
          ),
        ),
      ),
    ).to.deep.equal({
      kind: 'visit',
      venueCode: 'REG-1',
      phone: '+7 900 111-22-33',
      consent: undefined,
    });
    expect(
      decodeLabResultsRequest(
        payload(
          wrap(
            'VisitRegistrationRequest',
            '<t:VenueCode>REG-1</t:VenueCode><t:Phone>+79001112233</t:Phone>' +
              '<t:Consent><t:TextVersion>2026-1</t:TextVersion><t:GivenAt>2026-11-20T10:00:00Z</t:GivenAt></t:Consent>',
          ),
        ),
      ),
    ).to.deep.include({ consent: { textVersion: '2026-1', givenAt: new Date('2026-11-20T10:00:00Z') } });
    expect(
      decodeLabResultsRequest(
        payload(
          wrap(
            'EntryCheckRequest',
            '<t:VenueCode>REG-1</t:VenueCode><t:Phone>89001112233</t:Phone><t:Code>012345</t:Code>',
          ),
        ),
      ),
    ).to.deep.equal({
      kind: 'check',
      venueCode: 'REG-1',
      credential: { kind: 'code', phone: '89001112233', code: '012345' },
    });
    expect(
      decodeLabResultsRequest(
        payload(
          wrap(
            'EntryCheckRequest',
            '<t:VenueCode>REG-1</t:VenueCode><t:PersonalToken>abcdefghijklmnop</t:PersonalToken>',
          ),
        ),
      ),
    ).to.deep.equal({
      kind: 'check',
      venueCode: 'REG-1',
      credential: { kind: 'token', token: 'abcdefghijklmnop' },
    });
    expect(
      decodeLabResultsRequest(
        payload(wrap('PositiveResultRequest', '<t:Withdraw><t:ResultId>R-1</t:ResultId></t:Withdraw>')),
      ),
    ).to.deep.equal({
      kind: 'result',
      action: { kind: 'withdraw', resultId: 'R-1' },
    });
    expect(
      decodeLabResultsRequest(
        payload(
          wrap(
            'ContactsRequest',
            '<t:Person><t:PersonalToken>abcdefghijklmnop</t:PersonalToken></t:Person><t:WindowHours>4</t:WindowHours><t:Since>2025-01-01T00:00:00Z</t:Since>',
          ),
        ),
      ),
    ).to.deep.equal({
      kind: 'contacts',
      person: { phone: undefined, token: 'abcdefghijklmnop' },
      windowHours: 4,
      since: new Date('2025-01-01T00:00:00Z'),
    });
  });

  it('refuses in the schema what the service cannot take', () => {
    const bad = [
      wrap(
        'EntryCheckRequest',
        '<t:VenueCode>REG-1</t:VenueCode><t:Phone>89001112233</t:Phone><t:Code>12345</t:Code>',
      ),
      wrap('EntryCheckRequest', '<t:VenueCode>REG-1</t:VenueCode><t:PersonalToken>short</t:PersonalToken>'),
      wrap(
        'EntryCheckRequest',
        '<t:VenueCode>REG-1</t:VenueCode><t:PersonalToken>abcdefghijklmnop</t:PersonalToken><t:Phone>89001112233</t:Phone><t:Code>123456</t:Code>',
      ),
      wrap(
        'PositiveResultRequest',
        '<t:Record><t:ResultId>R-1</t:ResultId><t:Person/><t:ResultDate>2025-01-01</t:ResultDate></t:Record>',
      ),
      wrap(
        'ContactsRequest',
        '<t:Person><t:Phone>89001112233</t:Phone></t:Person><t:WindowHours>73</t:WindowHours>',
      ),
      wrap('VisitRegistrationRequest', '<t:VenueCode>REG 1</t:VenueCode><t:Phone>89001112233</t:Phone>'),
    ];
    for (const xml of bad) expect(schemas.validate(xml), xml).not.to.deep.equal([]);
  });

  it('encodes every answer valid against the schema', () => {
    const answers: LabResultsAnswer[] = [
      { kind: 'visit', codeExpiresAt: new Date('2025-01-01T10:10:00Z') },
      { kind: 'check', decision: 'ADMIT', codeExpiresAt: new Date('2025-01-01T10:10:00Z') },
      { kind: 'check', decision: 'REFUSE', codeExpiresAt: undefined },
      { kind: 'result', resultId: 'R-1', status: 'WITHDRAWN', at: new Date('2025-01-01T10:10:00Z') },
      { kind: 'contacts', contacts: [] },
      {
        kind: 'contacts',
        contacts: [
          {
            contact: { kind: 'phone', value: '+79001112233' },
            visits: [{ venueCode: 'REG-1', visitedAt: new Date('2025-01-01T10:10:00Z') }],
          },
          {
            contact: { kind: 'token', value: 'abcdefghijklmnop' },
            visits: [{ venueCode: 'REG-1', visitedAt: new Date('2025-01-01T10:10:00Z') }],
          },
        ],
      },
    ];
    for (const answer of answers)
      expect(schemas.validate(encodeLabResultsAnswer(answer)), JSON.stringify(answer)).to.deep.equal([]);
  });
});
