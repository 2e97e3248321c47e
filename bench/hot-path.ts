/**
 * Where a signed Call spends its time, step by step, in one process: the hardened gate, the DOM, XSD validation,
 * signature verification, building and signing the answer. Prints microseconds per operation and operations per
 * second. XSD validation of a 2 KB message is measured side by side with bare libxml2-wasm (parse and validate
 * the same bytes against the same schema set, nothing else), in alternating rounds of the same run, with the
 * ratio: the gateway's validation step should cost at most 1.5 times the bare pass.
 *
 *   npm run bench:hot-path
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ParseOption, XmlDocument, XsdValidator } from 'libxml2-wasm';
import { loadConfig } from '../src/config/config.js';
import { writeCallAnswer } from '../src/smev/call-answer.js';
import { validate } from '../src/exchange/steps/validate.js';
import { readSenderRequest } from '../src/smev/request.js';
import { readEnvelope } from '../src/soap/envelope.js';
import { SOAP11 } from '../src/soap/version.js';
import { EXCHANGE_1_1 } from '../src/soap/namespaces.js';
import { loadGatewayPki } from '../src/signature/setup.js';
import { GatewaySigner } from '../src/signature/signer.js';
import { readSignature } from '../src/signature/signature-element.js';
import { verifyDetached } from '../src/signature/xml-signature.js';
import { parseDom } from '../src/xml/dom.js';
import { guardXml, parseWithinLimits } from '../src/xml/guard.js';
import { SchemaSet } from '../src/xml/schemas.js';
import { signedCall } from '../test/support/gateway.js';
import { median, row } from './support.js';

function measure(label: string, work: () => unknown, ms = 1500): void {
  for (let i = 0; i < 200; i++) work();
  const until = performance.now() + ms;
  let count = 0;
  const start = performance.now();
  while (performance.now() < until) {
    work();
    count++;
  }
  const perOp = ((performance.now() - start) * 1000) / count;
  row(label, `${perOp.toFixed(1).padStart(8)} µs   ${(1e6 / perOp).toFixed(0).padStart(8)} /s`);
}

const config = loadConfig({ env: {} });
const limits = config.limits;
const schemas = SchemaSet.compile('xsd/gateway.xsd');
const { xml } = signedCall();
const { trust, key } = loadGatewayPki(config);
const signer = new GatewaySigner(key);
const text = xml;
const doc = parseDom(text);
const envelope = readEnvelope(doc, SOAP11, 'urn:Call');
const request = readSenderRequest(envelope.operationElement);
const signature = readSignature(doc, request.callerSignature, request.signedBlock);
const certificate = trust.check(signature.certificate, new Date());

/**
 * Bare libxml2-wasm against the gateway's validation step, on the same bytes and the same schema set, in
 * alternating rounds (so the load of a shared machine falls on both alike); the median round of each.
 */
function sideBySide(bare: () => unknown, gateway: () => unknown, rounds = 25, perRound = 400): void {
  for (let i = 0; i < 300; i++) {
    bare();
    gateway();
  }
  const time = (work: () => unknown) => {
    const start = performance.now();
    for (let i = 0; i < perRound; i++) work();
    return ((performance.now() - start) * 1000) / perRound;
  };
  const bareRounds: number[] = [];
  const gatewayRounds: number[] = [];
  for (let round = 0; round < rounds; round++) {
    bareRounds.push(time(bare));
    gatewayRounds.push(time(gateway));
  }
  const bareUs = median(bareRounds);
  const gatewayUs = median(gatewayRounds);
  const line = (us: number) => `${us.toFixed(1).padStart(8)} µs   ${(1e6 / us).toFixed(0).padStart(8)} /s`;
  row('XSD, 2 KB: bare libxml2-wasm parse+validate', line(bareUs));
  row('XSD, 2 KB: gateway validation step', line(gatewayUs));
  row('XSD, 2 KB: gateway / bare', `${(gatewayUs / bareUs).toFixed(2).padStart(8)} x     (target ≤ 1.50)`);
}

// A 2 KB message that is valid, so both sides do the whole pass: the signed request without its KeyInfo
// (optional in XMLDSig; the certificate alone is 1.3 KB), the ping text padded to bring it to 2048 bytes.
const withoutKeyInfo = text.replace(/<ds:KeyInfo>.*<\/ds:KeyInfo>/s, '');
const twoKb = withoutKeyInfo.replace(
  '<ping:Text>hello</ping:Text>',
  `<ping:Text>${'x'.repeat(Math.max(5, 2048 - Buffer.byteLength(withoutKeyInfo) + 5))}</ping:Text>`,
);
const twoKbBytes = Buffer.from(twoKb);
const problems = schemas.validate(twoKb);
if (problems.length) throw new Error(`the 2 KB message is not valid: ${JSON.stringify(problems)}`);
process.stdout.write(
  `signed request: ${text.length} bytes; message for validation: ${twoKbBytes.length} bytes\n`,
);

// The same schema set compiled by libxml2-wasm alone (SchemaSet.compile above let it read the xsd folder).
const rootXsd = 'xsd/gateway.xsd';
const safeParse = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;
const schemaDoc = XmlDocument.fromBuffer(readFileSync(rootXsd), {
  url: pathToFileURL(rootXsd).href,
  option: safeParse,
});
const bareValidator = XsdValidator.fromDoc(schemaDoc);
schemaDoc.dispose();
const validating = {
  text: twoKb,
  doc: parseDom(twoKb),
  envelope: readEnvelope(parseDom(twoKb), SOAP11, undefined),
  strictlyGated: false,
};
measure('strict gate (saxes scan, only for texts the watch cannot judge)', () => guardXml(text, limits));
measure('DOM (xmldom)', () => parseDom(text));
measure('DOM within the limits (the parse step)', () => parseWithinLimits(text, limits));
sideBySide(
  () => {
    const parsed = XmlDocument.fromBuffer(twoKbBytes, { option: safeParse });
    try {
      bareValidator.validate(parsed);
    } finally {
      parsed.dispose();
    }
  },
  () => validate(validating, schemas, EXCHANGE_1_1, limits),
);
bareValidator.dispose();
measure('signature shape checks', () => readSignature(doc, request.callerSignature, request.signedBlock));
measure('trust store check (cached)', () => trust.check(signature.certificate, new Date()));
measure('XMLDSig verify (xml-crypto)', () =>
  verifyDetached(signature, certificate.publicKey, request.signedBlock),
);

const answerParts = {
  version: SOAP11,
  request,
  sender: { mnemonic: 'DEMO_CONSUMER', humanReadableName: 'DEMO_CONSUMER' },
  recipient: { mnemonic: 'SMEV_GATEWAY', humanReadableName: 'smev-gateway' },
  provider: 'builtin:ping',
  outcome: {
    kind: 'answer' as const,
    body: '<p:PingResponse xmlns:p="urn://smev-gateway/services/ping/1.0"><p:Text>hello</p:Text><p:ReceivedAt>2026-01-01T00:00:00Z</p:ReceivedAt></p:PingResponse>',
  },
  answerMessageId: '6ada57e0-e720-11f1-8073-d9d26ad39b6b',
  answeredAt: new Date('2026-01-01T00:00:00Z'),
  signatureSlots: true,
};
measure('answer build (xmldom tree)', () => writeCallAnswer(answerParts));
measure(
  'answer signing, two RSA-2048 signatures',
  () => {
    const { doc, slots } = writeCallAnswer(answerParts);
    return signer.signAnswer(doc, slots);
  },
  3000,
);
