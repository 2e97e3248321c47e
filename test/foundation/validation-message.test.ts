/**
 * Schema problems name the element and the rule it broke, never the value: libxml2 quotes the value, and a value
 * may be personal data that faults and log lines must not carry. Checked on libxml2's own messages, and through
 * the endpoint: neither the fault nor the log line holds the value.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { v1 as uuidv1 } from 'uuid';
import winston from 'winston';
import { SchemaSet } from '../../src/xml/schemas.js';
import { withoutValues } from '../../src/xml/validation-message.js';
import { signedCall, useGateway } from '../support/gateway.js';
import { postSoapRaw } from './helpers.js';

const SCHEMA = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns:t="urn:t" elementFormDefault="qualified">
  <xs:element name="Person">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Pan" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[0-9]{16,19}"/></xs:restriction></xs:simpleType></xs:element>
        <xs:element name="Snils" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="11"/></xs:restriction></xs:simpleType></xs:element>
        <xs:element name="Kind" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string"><xs:enumeration value="a"/></xs:restriction></xs:simpleType></xs:element>
        <xs:element name="Age" type="xs:int" minOccurs="0"/>
        <xs:element name="Card" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:attribute name="no" type="xs:int"/><xs:attribute name="id" type="xs:string"/></xs:complexType></xs:element>
      </xs:sequence>
    </xs:complexType>
    <xs:unique name="cardId"><xs:selector xpath="t:Card"/><xs:field xpath="@id"/></xs:unique>
  </xs:element>
</xs:schema>`;

const SECRET = "4111'11 SECRET 1111";

describe('schema problems without the values', () => {
  let dir: string;
  let schemas: SchemaSet;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'smev-values-'));
    writeFileSync(join(dir, 't.xsd'), SCHEMA);
    schemas = SchemaSet.compile(join(dir, 't.xsd'));
  });
  after(() => {
    schemas.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const problem = (inner: string) => {
    const problems = schemas.validate(`<Person xmlns="urn:t">${inner}</Person>`);
    expect(problems, inner).to.have.length.greaterThan(0);
    return problems[0]!.message;
  };

  for (const [rule, inner, kept] of [
    ['pattern', `<Pan>${SECRET}</Pan>`, "the pattern '[0-9]{16,19}'"],
    ['length', `<Snils>${SECRET}</Snils>`, 'maximum length'],
    ['enumeration', `<Kind>${SECRET}</Kind>`, 'is not an element of the set'],
    ['atomic type', `<Age>${SECRET}</Age>`, "atomic type 'xs:int'"],
    ['attribute type', `<Card no="${SECRET.replace("'", '&apos;')}"/>`, "attribute 'no'"],
    [
      'unique key',
      `<Card id="${SECRET.replace("'", '&apos;')}"/><Card id="${SECRET.replace("'", '&apos;')}"/>`,
      'key-sequence',
    ],
  ] as const) {
    it(`${rule}: the element and the rule are named, the value is not`, () => {
      const message = problem(inner);
      expect(message).to.not.contain('SECRET').and.not.contain('4111');
      expect(message).to.contain(kept);
      // libxml2 itself leaves a string's value out of its length messages.
      if (rule !== 'length') expect(message).to.contain('value not shown');
    });
  }

  it('a value imitating the wording is taken out whole', () => {
    const forged = "x' is not accepted by the pattern 'SECRET";
    expect(
      withoutValues(
        `Element 'Pan': [facet 'pattern'] The value '${forged}' is not accepted by the pattern '[0-9]+'.`,
      ),
    ).to.equal(
      "Element 'Pan': [facet 'pattern'] The value '(value not shown)' is not accepted by the pattern '[0-9]+'.",
    );
  });

  it('a message with no value is kept as it is', () => {
    const message = "Element '{urn:t}X': This element is not expected. Expected is ( {urn:t}Pan ).";
    expect(withoutValues(message)).to.equal(message);
  });

  describe('through the endpoint', () => {
    const gateway = useGateway();

    it('neither the fault nor the log line carries the refused value', async () => {
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      });
      gateway.log.silent = false;
      gateway.log.level = 'info';
      gateway.log.clear().add(new winston.transports.Stream({ stream }));
      // A pattern the value breaks: libxml2 quotes it.
      const messageId = uuidv1().toUpperCase();
      const response = await postSoapRaw(gateway.endpoint, signedCall({ messageId }).xml);
      expect(response.body).to.contain('InvalidContent').and.contain('value not shown');
      expect(response.body).to.not.contain(messageId);
      const refused = lines.find((line) => line.includes('exchange refused'));
      expect(refused, lines.join('')).to.be.a('string');
      expect(refused).to.contain('MessageID').and.not.contain(messageId);
    });
  });
});
