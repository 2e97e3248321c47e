/**
 * The gateway's message-exchange schemas of each version against the official ones of that version
 * (`../shared/smev3-xsd/`): what the gateway accepts into the SMEV namespaces is what the official schema accepts.
 *
 * - Structure: the gateway's copies (xsd/smev-message-exchange-*-<version>.xsd) hold the official declarations,
 *   annotations aside, but for the differences listed here with their reason (and in docs/smev3-compatibility.md).
 * - Values: a corpus of boundary values for every constrained field (each maximum length and one past it, pattern
 *   edges, every enumeration value and one beside them, optional Ids and attributes left out) is checked with
 *   libxml2 against the gateway's schema set of the version and against the official schema; the verdicts must be
 *   the same.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  CONTRACT_VERSIONS,
  EXCHANGE_1_1,
  EXCHANGE_1_2,
  type ExchangeNamespaces,
} from '../../src/soap/namespaces.js';
import { childElements, parseDom, type Element } from '../../src/xml/dom.js';
import { SchemaSet } from '../../src/xml/schemas.js';
import { OFFICIAL_XSD } from '../support/official.js';

const XS = 'http://www.w3.org/2001/XMLSchema';
const folder = (contract: ExchangeNamespaces) => `v${contract.version.replace('.', '_')}`;
const files = (contract: ExchangeNamespaces) =>
  ['types', 'basic', 'faults', ...(contract.version === '1.3' ? ['routing', 'directive'] : [])].map(
    (kind) => `smev-message-exchange-${kind}-${contract.version}.xsd`,
  );

/** Every schema component as a path of `name[attributes]` steps, annotations and imports left out. */
function declarations(file: string): string[] {
  const out: string[] = [];
  const walk = (element: Element, path: string) => {
    if (element.namespaceURI !== XS) return;
    const name = element.localName ?? '';
    if (name === 'annotation' || name === 'import' || name === 'include') return;
    const attributes = Array.from({ length: element.attributes.length }, (_, i) =>
      element.attributes.item(i)!,
    )
      .filter((a) => a.name !== 'schemaLocation' && !a.name.includes(':') && a.name !== 'xmlns')
      .map((a) => `${a.name}=${a.value}`)
      .sort();
    const here = name === 'schema' ? '' : `${path}/${name}[${attributes.join(' ')}]`;
    if (name !== 'schema') out.push(here);
    for (const child of childElements(element)) walk(child, here);
  };
  walk(parseDom(readFileSync(file, 'utf8')).documentElement as Element, '');
  return out.sort();
}

/** What is in `a` and not in `b`, as a multiset. */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  return a.filter((x) => {
    const n = left.get(x) ?? 0;
    if (n === 0) return true;
    left.set(x, n - 1);
    return false;
  });
}

const LAX = (version: ExchangeNamespaces) => ({
  file: `smev-message-exchange-basic-${version.version}.xsd`,
  why: 'wildcards lax instead of skip, so the schema set checks payloads and signatures (as 1.3 publishes them)',
  official: [
    '/complexType[name=XMLDSigSignatureType]/sequence[]/any[namespace=http://www.w3.org/2000/09/xmldsig# processContents=skip]',
    '/element[name=MessagePrimaryContent]/complexType[]/sequence[]/any[namespace=##other processContents=skip]',
  ],
  gateway: [
    '/complexType[name=XMLDSigSignatureType]/sequence[]/any[namespace=http://www.w3.org/2000/09/xmldsig# processContents=lax]',
    '/element[name=MessagePrimaryContent]/complexType[]/sequence[]/any[namespace=##other processContents=lax]',
  ],
});

/** The deliberate differences (docs/smev3-compatibility.md), each with its reason. */
const DELIBERATE: ReadonlyMap<ExchangeNamespaces, readonly ReturnType<typeof LAX>[]> = new Map([
  [
    EXCHANGE_1_1,
    [
      LAX(EXCHANGE_1_1),
      {
        file: 'smev-message-exchange-types-1.1.xsd',
        why: 'global signature holders for the synchronous extension (CallRequest, CallResponse)',
        official: [],
        gateway: [
          '/element[name=CallerInformationSystemSignature type=basic:XMLDSigSignatureType]',
          '/element[name=SMEVSignature type=basic:XMLDSigSignatureType]',
        ],
      },
    ],
  ],
  [EXCHANGE_1_2, [LAX(EXCHANGE_1_2)]],
]);

describe('contract: the gateway’s message-exchange schemas against the official ones', function () {
  this.timeout(60_000);

  for (const contract of CONTRACT_VERSIONS) {
    it(`${contract.version}: the gateway's schemas hold the official declarations, differing only where documented`, () => {
      const found: string[] = [];
      const expected: string[] = [];
      for (const file of files(contract)) {
        const official = declarations(`${OFFICIAL_XSD}/${folder(contract)}/${file}`);
        const gateway = declarations(`xsd/${file}`);
        for (const line of minus(official, gateway)) found.push(`${file} - ${line}`);
        for (const line of minus(gateway, official)) found.push(`${file} + ${line}`);
        for (const deliberate of DELIBERATE.get(contract) ?? []) {
          if (deliberate.file !== file) continue;
          for (const line of deliberate.official) expected.push(`${file} - ${line}`);
          for (const line of deliberate.gateway) expected.push(`${file} + ${line}`);
        }
      }
      expect(found.sort()).to.deep.equal(expected.sort());
    });
  }

  const gatewaySchemas = new Map<ExchangeNamespaces, SchemaSet>();
  const officialSchemas = new Map<ExchangeNamespaces, SchemaSet>();
  before(() => {
    for (const contract of CONTRACT_VERSIONS) {
      gatewaySchemas.set(contract, SchemaSet.compile(contract.schemaRoot));
      officialSchemas.set(
        contract,
        SchemaSet.compile(
          `${OFFICIAL_XSD}/${folder(contract)}/smev-message-exchange-types-${contract.version}.xsd`,
        ),
      );
    }
  });
  after(() => {
    gatewaySchemas.forEach((schema) => schema.dispose());
    officialSchemas.forEach((schema) => schema.dispose());
  });

  for (const contract of CONTRACT_VERSIONS) {
    it(`${contract.version}: the gateway accepts a boundary value exactly when the official schema does`, () => {
      const gateway = gatewaySchemas.get(contract)!;
      const official = officialSchemas.get(contract)!;
      const differing: string[] = [];
      let checked = 0;
      for (const { field, fragment, values } of corpus(contract)) {
        // A field the official schema of this version does not have (its first value is refused) is left out.
        if (official.validate(fragment(values[0]!)).length > 0) continue;
        for (const value of values) {
          const xml = fragment(value);
          const byOfficial = official.validate(xml).length === 0;
          const byGateway = gateway.validate(xml).length === 0;
          checked += 1;
          if (byOfficial !== byGateway) {
            const shown = value.length > 40 ? `${value.slice(0, 20)}… (${value.length} characters)` : value;
            differing.push(
              `${field} = ${JSON.stringify(shown)}: official ${byOfficial}, gateway ${byGateway}`,
            );
          }
        }
      }
      expect(differing).to.deep.equal([]);
      expect(checked).to.be.greaterThan(60);
    });
  }
});

interface Case {
  readonly field: string;
  /** The fragment with the value in place; the first value is an ordinary one. */
  readonly fragment: (value: string) => string;
  readonly values: readonly string[];
}

const UUID = '1ec8e0a4-c8f1-11ef-9a0d-0242ac120002';
const PAYLOAD = '<q:Question xmlns:q="urn://example.org/questions/1.0"><q:Text>t</q:Text></q:Question>';
const text = (n: number) => 'x'.repeat(n);
/** Each maximum length: under it, at it, one past it. */
const lengths = (max: number) => ['ok', text(max), text(max + 1)];
const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function corpus(c: ExchangeNamespaces): Case[] {
  const ns = `xmlns:t="${c.types}" xmlns:b="${c.basic}"`;
  const requestData = (o: { id?: string; messageId?: string; tc?: string; node?: string; tail?: string }) =>
    `<t:SenderProvidedRequestData ${ns}${o.id === undefined ? ' Id="A"' : o.id}>` +
    `<t:MessageID>${o.messageId ?? UUID}</t:MessageID><t:ReferenceMessageID>${UUID}</t:ReferenceMessageID>` +
    `<t:TransactionCode>${escape(o.tc ?? 'TX')}</t:TransactionCode>` +
    (o.node === undefined ? '' : `<t:NodeID>${escape(o.node)}</t:NodeID>`) +
    `<b:MessagePrimaryContent>${PAYLOAD}</b:MessagePrimaryContent>${o.tail ?? ''}</t:SenderProvidedRequestData>`;
  const responseData = (choice: string, o: { id?: string; to?: string } = {}) =>
    `<t:SenderProvidedResponseData ${ns}${o.id === undefined ? ' Id="P"' : o.id}><t:MessageID>${UUID}</t:MessageID>` +
    `<t:To>${escape(o.to ?? 'reply-to')}</t:To>${choice}</t:SenderProvidedResponseData>`;
  const status = (o: { code?: string; description?: string; key?: string }) =>
    responseData(
      `<t:RequestStatus><t:StatusCode>${o.code ?? '7'}</t:StatusCode><t:StatusParameter><t:Key>${escape(o.key ?? 'k')}` +
        `</t:Key><t:Value>v</t:Value></t:StatusParameter><t:StatusDescription>${escape(o.description ?? 'in progress')}` +
        `</t:StatusDescription></t:RequestStatus>`,
    );
  const rejected = (o: { code?: string; description?: string }) =>
    responseData(
      `<t:RequestRejected><t:RejectionReasonCode>${o.code ?? 'NO_DATA'}</t:RejectionReasonCode>` +
        `<t:RejectionReasonDescription>${escape(o.description ?? 'none')}</t:RejectionReasonDescription></t:RequestRejected>`,
    );
  const asyncStatus = (o: { category?: string; details?: string; code?: string }) =>
    `<t:AsyncProcessingStatus ${ns}><t:OriginalMessageId>${UUID}</t:OriginalMessageId>` +
    `<t:StatusCategory>${o.category ?? 'underProcessing'}</t:StatusCategory>` +
    (o.details === undefined ? '' : `<t:StatusDetails>${escape(o.details)}</t:StatusDetails>`) +
    (o.code === undefined
      ? ''
      : `<t:SmevFault><b:Code>${escape(o.code)}</b:Code><b:Description>d</b:Description></t:SmevFault>`) +
    `</t:AsyncProcessingStatus>`;
  const metadata = (
    o: {
      type?: string;
      sender?: string;
      senderName?: string;
      broker?: string;
      destination?: string;
      recipient?: string;
      recipientName?: string;
      detected?: string;
      interaction?: string;
      status?: string;
    } = {},
    withNs = true,
  ) =>
    `<t:MessageMetadata${withNs ? ` ${ns}` : ''}><t:MessageId>${UUID}</t:MessageId><t:MessageType>${o.type ?? 'REQUEST'}</t:MessageType>` +
    `<t:Sender><t:Mnemonic>${escape(o.sender ?? 'DEMO_CONSUMER')}</t:Mnemonic><t:HumanReadableName>${escape(o.senderName ?? 'Demo')}</t:HumanReadableName></t:Sender>` +
    `<t:SendingTimestamp>2026-12-07T10:00:00Z</t:SendingTimestamp>` +
    (o.broker === undefined ? '' : `<t:MessageBroker>${escape(o.broker)}</t:MessageBroker>`) +
    (c.metadataRouting
      ? `<t:DestinationName>${escape(o.destination ?? 'SOCPROTECT_47')}</t:DestinationName>`
      : '') +
    `<t:Recipient><t:Mnemonic>${escape(o.recipient ?? 'SOCPROTECT_47')}</t:Mnemonic><t:HumanReadableName>${escape(o.recipientName ?? 'Social')}</t:HumanReadableName></t:Recipient>` +
    (c.metadataRouting
      ? `<t:SupplementaryData>${o.detected === undefined ? '' : `<t:DetectedContentTypeName>${escape(o.detected)}</t:DetectedContentTypeName>`}` +
        `<t:InteractionType>${o.interaction ?? 'OIV2OIV'}</t:InteractionType></t:SupplementaryData>`
      : '') +
    (o.status === undefined ? '' : `<t:Status>${o.status}</t:Status>`) +
    `</t:MessageMetadata>`;
  const attachment = (mime: string) =>
    `<b:AttachmentHeaderList ${ns}><b:AttachmentHeader><b:contentId>f1</b:contentId>` +
    `<b:MimeType>${escape(mime)}</b:MimeType></b:AttachmentHeader></b:AttachmentHeaderList>`;
  const reference = (mime: string) =>
    `<b:RefAttachmentHeaderList ${ns}><b:RefAttachmentHeader><b:uuid>file-1</b:uuid><b:Hash>abc</b:Hash>` +
    `<b:MimeType>${escape(mime)}</b:MimeType></b:RefAttachmentHeader></b:RefAttachmentHeaderList>`;
  const MIME = [
    'application/pdf',
    'application/',
    'text/plain',
    'image/svg+xml',
    'application/vnd.ms-excel',
    'video/x-msvideo',
    'audio/mpeg',
    'application/pdf; name=report.pdf',
    'text/plain;charset=utf-8',
    'multipart/mixed',
    'message/rfc822',
    'model/gltf+json',
    'APPLICATION/pdf',
    'application/x_y',
    'application',
    '',
  ];
  const STATUSES = [
    'underProcessing',
    'doesNotExist',
    'requestIsQueued',
    'requestIsAcceptedBySmev',
    'requestIsRejectedBySmev',
    'responseIsAcceptedBySmev',
    'cancelled',
    'responseIsDelivered',
    'messageIsDelivered',
    'unknown',
  ];
  return [
    {
      field: 'SenderProvidedRequestData/MessageID',
      fragment: (v) => requestData({ messageId: v }),
      values: [UUID, UUID.toUpperCase(), '1ec8e0a4c8f111ef9a0d0242ac120002', 'x'],
    },
    {
      field: 'SenderProvidedRequestData/TransactionCode',
      fragment: (v) => requestData({ tc: v }),
      values: lengths(1500),
    },
    {
      field: 'SenderProvidedRequestData/NodeID',
      fragment: (v) => requestData({ node: v }),
      values: lengths(50),
    },
    {
      field: 'SenderProvidedRequestData/@Id',
      fragment: (v) => requestData({ id: v }),
      values: [' Id="A"', '', ' Id="1A"'],
    },
    {
      field: 'SenderProvidedRequestData/BusinessProcessMetadata',
      fragment: (v) => requestData({ tail: `<t:BusinessProcessMetadata>${v}</t:BusinessProcessMetadata>` }),
      values: ['', '<x:a xmlns:x="urn://x"/>', '<t:Other/>'],
    },
    { field: 'AttachmentHeader/MimeType', fragment: attachment, values: MIME },
    { field: 'RefAttachmentHeader/MimeType', fragment: reference, values: MIME },
    {
      field: 'SenderProvidedResponseData/To',
      fragment: (v) => rejected({}).replace('reply-to', v),
      values: lengths(4000),
    },
    {
      field: 'SenderProvidedResponseData/@Id',
      fragment: (v) =>
        responseData(`<b:MessagePrimaryContent>${PAYLOAD}</b:MessagePrimaryContent>`, { id: v }),
      values: [' Id="P"', ''],
    },
    {
      field: 'RequestStatus/StatusDescription',
      fragment: (v) => status({ description: v }),
      values: lengths(4000),
    },
    {
      field: 'RequestStatus/StatusCode',
      fragment: (v) => status({ code: v }),
      values: ['7', '-2147483648', '2147483647', '2147483648', 'x'],
    },
    {
      field: 'RequestStatus/StatusParameter/Key',
      fragment: (v) => status({ key: v }),
      values: lengths(5000),
    },
    {
      field: 'RequestRejected/RejectionReasonDescription',
      fragment: (v) => rejected({ description: v }),
      values: lengths(4000),
    },
    {
      field: 'RequestRejected/RejectionReasonCode',
      fragment: (v) => rejected({ code: v }),
      values: ['NO_DATA', 'ACCESS_DENIED', 'UNKNOWN_REQUEST_DESCRIPTION', 'FAILURE', 'OTHER', 'no_data', ''],
    },
    {
      field: 'AsyncProcessingStatus/StatusDetails',
      fragment: (v) => asyncStatus({ details: v }),
      values: lengths(500),
    },
    {
      field: 'AsyncProcessingStatus/StatusCategory',
      fragment: (v) => asyncStatus({ category: v }),
      values: STATUSES,
    },
    {
      field: 'AsyncProcessingStatus/SmevFault/Code',
      fragment: (v) => asyncStatus({ code: v }),
      values: ['ok', text(50), text(51), text(100), text(101)],
    },
    {
      field: 'MessageMetadata/MessageType',
      fragment: (v) => metadata({ type: v }),
      values: ['REQUEST', 'RESPONSE', 'BROADCAST', 'CANCEL', 'request', 'OTHER'],
    },
    {
      field: 'MessageMetadata/Sender/Mnemonic',
      fragment: (v) => metadata({ sender: v }),
      values: lengths(50),
    },
    {
      field: 'MessageMetadata/Sender/HumanReadableName',
      fragment: (v) => metadata({ senderName: v }),
      values: lengths(500),
    },
    {
      field: 'MessageMetadata/MessageBroker',
      fragment: (v) => metadata({ broker: v }),
      values: lengths(200),
    },
    {
      field: 'MessageMetadata/DestinationName',
      fragment: (v) => metadata({ destination: v }),
      values: lengths(500),
    },
    {
      field: 'MessageMetadata/Recipient/Mnemonic',
      fragment: (v) => metadata({ recipient: v }),
      values: lengths(100),
    },
    {
      field: 'MessageMetadata/Recipient/HumanReadableName',
      fragment: (v) => metadata({ recipientName: v }),
      values: lengths(500),
    },
    {
      field: 'MessageMetadata/SupplementaryData/DetectedContentTypeName',
      fragment: (v) => metadata({ detected: v }),
      values: lengths(500),
    },
    {
      field: 'MessageMetadata/SupplementaryData/InteractionType',
      fragment: (v) => metadata({ interaction: v }),
      values: [
        'OIV2OIV',
        'PGU2OIV',
        'OIV2sameOIV',
        'Charger2PaymentGate',
        'PaymentGate2Treasury',
        'OIV2Treasury',
        'other',
        'NotDetected',
        'OTHER',
      ],
    },
    { field: 'MessageMetadata/Status', fragment: (v) => metadata({ status: v }), values: STATUSES },
    {
      field: 'Request/ReplyTo',
      fragment: (v) =>
        `<t:Request ${ns} Id="R">${requestData({}).replace(` ${ns}`, '')}${metadata({}, false)}` +
        `<t:ReplyTo>${escape(v)}</t:ReplyTo></t:Request>`,
      values: lengths(4000),
    },
    {
      field: 'GetIncomingQueueStatisticsResponse/QueueStatistics/@queueName',
      fragment: (v) =>
        `<t:GetIncomingQueueStatisticsResponse ${ns}><t:QueueStatistics queueName="${escape(v)}" ` +
        `pendingMessageNumber="1"/></t:GetIncomingQueueStatisticsResponse>`,
      values: lengths(200),
    },
    {
      field: 'AckTargetMessage/@accepted',
      fragment: (v) => `<b:AckTargetMessage ${ns} Id="A"${v}>${UUID}</b:AckTargetMessage>`,
      values: [' accepted="true"', ' accepted="false"', ' accepted="yes"', ''],
    },
    {
      field: 'MessageTypeSelector/RootElementLocalName',
      fragment: (v) =>
        `<b:MessageTypeSelector ${ns} Id="S"><b:NamespaceURI>urn://q</b:NamespaceURI>` +
        `<b:RootElementLocalName>${v}</b:RootElementLocalName><b:Timestamp>2026-12-07T10:00:00Z</b:Timestamp>` +
        `</b:MessageTypeSelector>`,
      values: ['Question', 'q:Question', '1Question'],
    },
    {
      field: 'MessageTypeSelector/NodeID',
      fragment: (v) =>
        `<b:MessageTypeSelector ${ns}><b:Timestamp>2026-12-07T10:00:00Z</b:Timestamp><b:NodeID>${v}</b:NodeID>` +
        `</b:MessageTypeSelector>`,
      values: lengths(50),
    },
  ];
}
