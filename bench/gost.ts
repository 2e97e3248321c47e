/**
 * GOST throughput on one core, with node's native SHA-256 and RSA-2048 for scale: the primitives, then whole
 * XMLDSig signatures of a Call request as the client makes them and the gateway checks them.
 * Build with `npx tsc -p tsconfig.json`, run with `node dist/bench/gost.js` (or `npm run bench:gost`).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildCallRequest, signCallRequest } from '../src/client/request.js';
import { certificatePublicKey } from '../src/signature/keys.js';
import { pemBody } from '../src/signature/pki/thumbprint.js';
import { readSignature } from '../src/signature/signature-element.js';
import { loadSigningKey } from '../src/signature/signing-key.js';
import { verifyDetached } from '../src/signature/xml-signature.js';
import { NS } from '../src/soap/namespaces.js';
import { SOAP11 } from '../src/soap/version.js';
import { childElements, firstChildElement, parseDom, type Element } from '../src/xml/dom.js';
import { gost94 } from '../src/signature/gost/gost94.js';
import { curveByOid } from '../src/signature/gost/curves.js';
import { gostSign, gostVerify, publicKeyFromPrivate } from '../src/signature/gost/sign.js';
import { streebog256 } from '../src/signature/gost/streebog.js';

/** Runs fn repeatedly for about `ms` milliseconds after a short warm-up; returns calls per second. */
function rate(fn: () => void, ms = 1500): number {
  for (const end = performance.now() + 200; performance.now() < end;) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    fn();
    n++;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

const fmt = (v: number): string => v.toFixed(v < 100 ? 1 : 0).padStart(8);
const MiB = 1 << 20;
const block = randomBytes(MiB);

console.log(`node ${process.version}, one core, ${new Date().toISOString()}`);
console.log(`Streebog-256, 1 MiB:      ${fmt(rate(() => streebog256(block)))} MB/s`);
console.log(`SHA-256 (native), 1 MiB:  ${fmt(rate(() => createHash('sha256').update(block).digest()))} MB/s`);
console.log(`GOST R 34.11-94, 1 MiB:   ${fmt(rate(() => gost94(block)))} MB/s`);

for (const oid of ['1.2.643.2.2.35.1', '1.2.643.7.1.2.1.1.1', '1.2.643.7.1.2.1.2.1']) {
  const curve = curveByOid(oid);
  const d = (BigInt('0x' + randomBytes(curve.size).toString('hex')) % (curve.q - 1n)) + 1n;
  const pub = publicKeyFromPrivate(curve, d);
  const digest = randomBytes(curve.size);
  const sig = gostSign(curve, d, digest);
  const bits = String(curve.size * 8);
  console.log(
    `GOST-${bits} ${curve.name.padEnd(11)} sign:            ${fmt(rate(() => gostSign(curve, d, digest)))} /s`,
  );
  console.log(
    `GOST-${bits} ${curve.name.padEnd(11)} verify (cached): ${fmt(rate(() => gostVerify(curve, pub, digest, sig)))} /s`,
  );
  console.log(
    `GOST-${bits} ${curve.name.padEnd(11)} verify (new key):${fmt(rate(() => gostVerify(curve, pub, digest, sig, { cacheKey: false })))} /s`,
  );
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const msg = randomBytes(64);
const rsaSig = sign('sha256', msg, rsa.privateKey);
console.log(`RSA-2048 (native) sign:   ${fmt(rate(() => sign('sha256', msg, rsa.privateKey)))} /s`);
console.log(`RSA-2048 (native) verify: ${fmt(rate(() => verify('sha256', msg, rsa.publicKey, rsaSig)))} /s`);

// Whole XMLDSig signatures over a Call request (ping payload, xmldsig profile), with the sample keys.
const payload =
  '<ping:PingRequest xmlns:ping="urn://smev-gateway/services/ping/1.0"><ping:Text>hello</ping:Text></ping:PingRequest>';
for (const [label, dir, system] of [
  ['RSA-2048 ', 'certs-sample', 'DEMO_CONSUMER'],
  ['GOST-256 ', 'certs-sample/gost', 'DEMO_GOST_CONSUMER'],
] as const) {
  const key = loadSigningKey(
    readFileSync(`${dir}/${system}.key.pem`, 'utf8'),
    readFileSync(`${dir}/${system}.crt.pem`, 'utf8'),
  );
  const publicKey = certificatePublicKey(pemBody(key.certificatePem));
  const unsigned = buildCallRequest({ version: SOAP11, payload }).xml;
  const signed = signCallRequest(unsigned, key);
  const check = () => {
    const doc = parseDom(signed);
    const call = childElements(childElements(doc.documentElement as Element)[1]!)[0]!;
    const data = firstChildElement(call, NS.types, 'SenderProvidedRequestData')!;
    const container = firstChildElement(call, NS.types, 'CallerInformationSystemSignature');
    verifyDetached(readSignature(doc, container, data), publicKey, data);
  };
  console.log(`XMLDSig ${label} sign a Call:    ${fmt(rate(() => signCallRequest(unsigned, key)))} /s`);
  console.log(`XMLDSig ${label} verify a Call:  ${fmt(rate(check))} /s`);
}
