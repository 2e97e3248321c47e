/**
 * Where a signed Call spends its time, step by step, in one process: the hardened gate, the DOM, XSD validation
 * (also of a 2 KB message alone), signature verification, building and signing the answer. Prints microseconds
 * per operation and operations per second.
 *
 *   npm run bench:hot-path
 */
import { loadConfig } from '../src/config/config.js';
import { writeCallAnswer } from '../src/exchange/answer.js';
import { newExchange } from '../src/exchange/context.js';
import { readSenderRequest } from '../src/exchange/request.js';
import { createLogger } from '../src/logging/logger.js';
import { readEnvelope } from '../src/soap/envelope.js';
import { SOAP11 } from '../src/soap/version.js';
import { loadSignatures } from '../src/signature/setup.js';
import { readSignature } from '../src/signature/signature-element.js';
import { verifyDetached } from '../src/signature/xml-signature.js';
import { parseDom } from '../src/xml/dom.js';
import { guardXml } from '../src/xml/guard.js';
import { SchemaSet } from '../src/xml/schemas.js';
import { signedCall } from '../test/support/gateway.js';
import { row } from './support.js';

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
const { trust, signer } = loadSignatures(config, { systemForCertificate: async () => undefined });
const text = xml;
const doc = parseDom(text);
const envelope = readEnvelope(doc, SOAP11, 'urn:Call');
const request = readSenderRequest(envelope.operationElement);
const signature = readSignature(doc, request.callerSignature, request.signedBlock);
const certificate = trust.check(signature.certificate, new Date());

const twoKb = `<?xml version="1.0" encoding="UTF-8"?>${text.replace(
  '<ping:Text>hello</ping:Text>',
  `<ping:Text>${'x'.repeat(Math.max(0, 2048 - text.length))}</ping:Text>`,
)}`;
process.stdout.write(
  `signed request: ${text.length} bytes; padded message for validation: ${twoKb.length} bytes\n`,
);

measure('guard (saxes streaming gate)', () => guardXml(text, limits));
measure('DOM (xmldom)', () => parseDom(text));
measure('XSD validation, 2 KB message (libxml2)', () => schemas.validate(twoKb));
measure('signature shape checks', () => readSignature(doc, request.callerSignature, request.signedBlock));
measure('trust store check (cached)', () => trust.check(signature.certificate, new Date()));
measure('XMLDSig verify (xml-crypto)', () =>
  verifyDetached(signature, certificate.publicKey, request.signedBlock),
);

const exchange = newExchange(
  'bench',
  { body: Buffer.from(text), contentType: 'text/xml', soapAction: undefined, tooLarge: false },
  createLogger('error', { silent: true }),
);
Object.assign(exchange, {
  request,
  sender: {
    mnemonic: 'DEMO_CONSUMER',
    humanReadableName: 'DEMO_CONSUMER',
    certificateThumbprint: certificate.thumbprint,
  },
  route: {
    recipient: { mnemonic: 'SMEV_GATEWAY', humanReadableName: 'smev-gateway' },
    provider: 'builtin:ping',
  },
  outcome: {
    kind: 'answer',
    body: '<p:PingResponse xmlns:p="urn://smev-gateway/services/ping/1.0"><p:Text>hello</p:Text><p:ReceivedAt>2026-01-01T00:00:00Z</p:ReceivedAt></p:PingResponse>',
  },
  answerMessageId: '6ada57e0-e720-11f1-8073-d9d26ad39b6b',
});
measure('answer build (xmldom tree)', () => writeCallAnswer(exchange, { signatureSlots: true }));
measure(
  'answer signing, two RSA-2048 signatures',
  () => {
    const { doc, slots } = writeCallAnswer(exchange, { signatureSlots: true });
    return signer.signAnswer(doc, slots);
  },
  3000,
);
