import { expect } from 'chai';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { readFileSync, readdirSync } from 'node:fs';
import { certificatesCodec, CERTIFICATES_NS } from '../../../src/providers/certificates/codec.js';
import { SchemaSet } from '../../../src/xml/schemas.js';

const element = (xml: string) =>
  new DOMParser().parseFromString(xml, 'text/xml').documentElement as unknown as Element;
const ns = `xmlns="${CERTIFICATES_NS}"`;

describe('certificates: codec', () => {
  let schemas: SchemaSet;
  before(() => {
    schemas = SchemaSet.compile('xsd/gateway.xsd');
  });
  after(() => schemas.dispose());

  it('lists its three requests in its namespace', () => {
    expect(certificatesCodec.namespace).to.equal('urn://smev-gateway/services/certificates/1.0');
    expect(certificatesCodec.requests).to.deep.equal([
      'CertificateStatusRequest',
      'WorkPostingRequest',
      'DailyRegistryRequest',
    ]);
  });

  it('decodes every example, and every example is valid against the gateway schema set', () => {
    const files = readdirSync('examples/certificates').filter((f) => f.endsWith('.xml'));
    expect(files).to.include.members([
      'CertificateStatusRequest.xml',
      'WorkPostingRequest.xml',
      'DailyRegistryRequest.xml',
    ]);
    for (const file of files) {
      const xml = readFileSync(`examples/certificates/${file}`, 'utf8');
      expect(schemas.validate(xml), file).to.deep.equal([]);
      expect(certificatesCodec.decode(element(xml)).kind, file).to.be.oneOf([
        'status',
        'posting',
        'registry',
      ]);
    }
  });

  it('decodes a status request by number and by QR', () => {
    expect(
      certificatesCodec.decode(
        element(
          `<CertificateStatusRequest ${ns}><CertificateNumber>470000000013</CertificateNumber></CertificateStatusRequest>`,
        ),
      ),
    ).to.deep.equal({ kind: 'status', lookup: { by: 'number', value: '470000000013' } });
    expect(
      certificatesCodec.decode(
        element(
          `<CertificateStatusRequest ${ns}><QrPayload>SGC1:470000000013:37</QrPayload></CertificateStatusRequest>`,
        ),
      ),
    ).to.deep.equal({ kind: 'status', lookup: { by: 'qr', value: 'SGC1:470000000013:37' } });
  });

  it('decodes a posting with integer kopecks and a collapsed works name', () => {
    const body = certificatesCodec.decode(
      element(
        `<WorkPostingRequest ${ns}><CertificateNumber>470000000013</CertificateNumber><WorksName>  Замена\n  окна </WorksName>` +
          `<ClassifierCode>43.32</ClassifierCode><Quantity>2</Quantity><Cost>9999999999</Cost><TransactionId>T-1</TransactionId></WorkPostingRequest>`,
      ),
    );
    expect(body).to.deep.equal({
      kind: 'posting',
      certificateNumber: '470000000013',
      worksName: 'Замена окна',
      classifierCode: '43.32',
      quantity: 2,
      cost: 9_999_999_999,
      transactionId: 'T-1',
    });
  });

  it('refuses amounts it cannot hold exactly and missing elements', () => {
    const posting = (cost: string) =>
      `<WorkPostingRequest ${ns}><CertificateNumber>470000000013</CertificateNumber><WorksName>x</WorksName>` +
      `<ClassifierCode>1</ClassifierCode><Quantity>1</Quantity><Cost>${cost}</Cost><TransactionId>T</TransactionId></WorkPostingRequest>`;
    for (const cost of ['1.5', '-1', '1e3', '99999999999999999999', '']) {
      expect(() => certificatesCodec.decode(element(posting(cost))), cost).to.throw();
    }
    expect(() => certificatesCodec.decode(element(`<WorkPostingRequest ${ns}/>`))).to.throw(
      /no CertificateNumber/,
    );
    expect(() => certificatesCodec.decode(element(`<CertificateStatusRequest ${ns}/>`))).to.throw(
      /exactly one/,
    );
    expect(() => certificatesCodec.decode(element(`<PingRequest ${ns}/>`))).to.throw(/does not answer/);
    expect(() => certificatesCodec.decode(element(`<WorkPostingRequest xmlns="urn:other"/>`))).to.throw(
      /not a certificates payload/,
    );
  });

  it('encodes every answer into XML the schema accepts', () => {
    const answers = [
      certificatesCodec.encode({
        kind: 'status',
        certificateNumber: '470000000013',
        holderInitials: 'И. И. П.',
        holderSnilsMasked: '***-***-*45 95',
        holderDisplay: 'И. И. П., СНИЛС ***-***-*45 95',
        measureCode: 'HOUSING_REPAIR',
        measureName: 'Ремонт жилого помещения',
        nominal: 15_000_000,
        balance: 0,
        validFrom: '2026-01-01',
        validTo: '2030-12-31',
        status: 'EXHAUSTED',
      }),
      certificatesCodec.encode({
        kind: 'posting',
        postingId: '3b241101-e2bb-4255-8caf-4136c566a962',
        transactionId: 'T-1',
        certificateNumber: '470000000013',
        cost: 100,
        balanceAfter: 0,
        postedAt: new Date('2026-06-15T09:00:00Z'),
      }),
      certificatesCodec.encode({
        kind: 'registry',
        registryId: '3b241101-e2bb-4255-8caf-4136c566a962',
        date: '2026-06-15',
        result: 'MISMATCHED',
        replaced: true,
        registryCount: 2,
        registryTotal: 300,
        gatewayCount: 2,
        gatewayTotal: 400,
        missing: [{ transactionId: 'A', certificateNumber: '470000000013', cost: 100 }],
        extra: [{ transactionId: 'B', certificateNumber: '470000000013', cost: 100, postedOn: '2026-06-14' }],
        differing: [
          {
            transactionId: 'C',
            fields: [
              { name: 'CertificateNumber', inRegistry: '470000000021', atGateway: '470000000013' },
              { name: 'Cost', inRegistry: '200', atGateway: '300' },
            ],
          },
        ],
      }),
    ];
    for (const xml of answers) expect(schemas.validate(xml), xml).to.deep.equal([]);
    expect(answers[0]).to.contain('<Status>EXHAUSTED</Status>').and.contain('<Balance>0</Balance>');
    expect(answers[2])
      .to.contain('<Replaced>true</Replaced>')
      .and.contain('<GatewayPostedOn>2026-06-14</GatewayPostedOn>');
  });

  it('the schema refuses floats, negative and zero costs, duplicate registry lines and zoned dates', () => {
    const posting = (cost: string) =>
      `<WorkPostingRequest ${ns}><CertificateNumber>470000000013</CertificateNumber><WorksName>x</WorksName>` +
      `<ClassifierCode>1</ClassifierCode><Quantity>1</Quantity><Cost>${cost}</Cost><TransactionId>T</TransactionId></WorkPostingRequest>`;
    for (const cost of ['1.5', '-1', '0', '10000000000'])
      expect(schemas.validate(posting(cost)), cost).to.not.deep.equal([]);
    const line = `<Transaction><TransactionId>A</TransactionId><CertificateNumber>470000000013</CertificateNumber><Cost>1</Cost></Transaction>`;
    expect(
      schemas.validate(
        `<DailyRegistryRequest ${ns}><RegistryDate>2026-06-15</RegistryDate>${line}${line}<TotalCount>2</TotalCount><TotalCost>2</TotalCost></DailyRegistryRequest>`,
      ),
    ).to.not.deep.equal([]);
    expect(
      schemas.validate(
        `<DailyRegistryRequest ${ns}><RegistryDate>2026-06-15+03:00</RegistryDate><TotalCount>0</TotalCount><TotalCost>0</TotalCost></DailyRegistryRequest>`,
      ),
    ).to.not.deep.equal([]);
    expect(
      schemas.validate(
        `<WorkPostingRequest ${ns}><CertificateNumber>470000000013</CertificateNumber><WorksName>   </WorksName><ClassifierCode>1</ClassifierCode><Quantity>1</Quantity><Cost>1</Cost><TransactionId>T</TransactionId></WorkPostingRequest>`,
      ),
    ).to.not.deep.equal([]);
  });
});
