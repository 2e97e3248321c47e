import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { curveByOid } from '../../../src/signature/gost/curves.js';
import { decodeSignature, encodeSignature } from '../../../src/signature/gost/encoding.js';
import { gostSign, gostVerify, publicKeyFromPrivate } from '../../../src/signature/gost/sign.js';
import { parseGostSubjectPublicKeyInfo } from '../../../src/signature/gost/spki.js';
import { streebog256, streebog512 } from '../../../src/signature/gost/streebog.js';
import { openssl, readKeyText, useGostTempDir } from './openssl.js';

const CASES = [
  { algorithm: 'gost2012_256', paramset: 'A', oid: '1.2.643.2.2.35.1', bits: 256 },
  { algorithm: 'gost2012_256', paramset: 'TCA', oid: '1.2.643.7.1.2.1.1.1', bits: 256 },
  { algorithm: 'gost2012_512', paramset: 'A', oid: '1.2.643.7.1.2.1.2.1', bits: 512 },
  { algorithm: 'gost2012_512', paramset: 'C', oid: '1.2.643.7.1.2.1.2.3', bits: 512 },
] as const;

describe('GOST R 34.10-2012 interoperability with OpenSSL (GOST engine)', function () {
  this.timeout(60000);
  const tmp = useGostTempDir();

  for (const tc of CASES) {
    describe(`${tc.algorithm} paramset ${tc.paramset}`, () => {
      const curve = curveByOid(tc.oid);
      const md = `-md_gost12_${String(tc.bits)}`;
      const hash = tc.bits === 256 ? streebog256 : streebog512;
      let key = '';
      let pub = '';
      let data = '';
      let keyText: ReturnType<typeof readKeyText>;

      before(() => {
        const base = join(tmp.dir, `${tc.algorithm}-${tc.paramset}`);
        key = `${base}.key.pem`;
        pub = `${base}.pub.pem`;
        data = `${base}.data`;
        openssl([
          'genpkey',
          '-engine',
          'gost',
          '-algorithm',
          tc.algorithm,
          '-pkeyopt',
          `paramset:${tc.paramset}`,
          '-out',
          key,
        ]);
        openssl(['pkey', '-engine', 'gost', '-in', key, '-pubout', '-out', pub]);
        writeFileSync(data, randomBytes(3000));
        keyText = readKeyText(key);
      });

      it('reads the SubjectPublicKeyInfo (x ‖ y little-endian) and matches d·G', () => {
        const der = openssl(['pkey', '-engine', 'gost', '-pubin', '-in', pub, '-outform', 'DER']);
        const info = parseGostSubjectPublicKeyInfo(der);
        expect(info.curve).to.equal(curve);
        expect(info.publicKey).to.deep.equal({ x: keyText.x, y: keyText.y });
        expect(publicKeyFromPrivate(curve, keyText.d)).to.deep.equal({ x: keyText.x, y: keyText.y });
      });

      it('verifies a signature made by OpenSSL (s ‖ r, big-endian), and rejects it on other data', () => {
        const sigFile = `${data}.openssl.sig`;
        openssl(['dgst', '-engine', 'gost', md, '-sign', key, '-out', sigFile, data]);
        const sig = Uint8Array.from(readFileSync(sigFile));
        expect(sig).to.have.length(2 * curve.size);
        const message = Uint8Array.from(readFileSync(data));
        const pubKey = { x: keyText.x, y: keyText.y };
        expect(gostVerify(curve, pubKey, hash(message), sig)).to.equal(true);
        // The other order must fail, which pins OpenSSL's output as s ‖ r.
        const { r, s } = decodeSignature(curve, sig);
        expect(gostVerify(curve, pubKey, hash(message), encodeSignature(curve, { r: s, s: r }))).to.equal(
          false,
        );
        message[0] = message[0]! ^ 0x80;
        expect(gostVerify(curve, pubKey, hash(message), sig)).to.equal(false);
      });

      it('produces signatures OpenSSL verifies, and OpenSSL refuses them swapped to r ‖ s', () => {
        const message = Uint8Array.from(readFileSync(data));
        const sig = gostSign(curve, keyText.d, hash(message));
        const sigFile = `${data}.ours.sig`;
        writeFileSync(sigFile, sig);
        const out = openssl([
          'dgst',
          '-engine',
          'gost',
          md,
          '-verify',
          pub,
          '-signature',
          sigFile,
          data,
        ]).toString();
        expect(out).to.match(/Verified OK/);
        const { r, s } = decodeSignature(curve, sig);
        writeFileSync(sigFile, encodeSignature(curve, { r: s, s: r }));
        expect(() =>
          openssl(['dgst', '-engine', 'gost', md, '-verify', pub, '-signature', sigFile, data]),
        ).to.throw(/Verification failure|failed/);
      });
    });
  }
});
