/** The documents service's rules: the gateway-signed QR string, keyed hashes, codes and settings. */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Hasher, newShortCode, newToken, QrSigner } from '../../../src/providers/documents/rules.js';
import { parseDocumentsSettings } from '../../../src/providers/documents/settings.js';
import { DOCUMENTS_REFUSAL_CODES } from '../../../src/providers/documents/index.js';
import { loadSigningKey } from '../../../src/signature/signing-key.js';

const key = (system: string) =>
  loadSigningKey(
    readFileSync(`certs-sample/${system}.key.pem`, 'utf8'),
    readFileSync(`certs-sample/${system}.crt.pem`, 'utf8'),
  );

describe('documents service rules', () => {
  const gateway = new QrSigner(key('gateway'));

  it('a QR string signed by the gateway reads back; altered or signed by another key it does not', () => {
    const token = newToken();
    const expires = new Date('2030-01-01T00:00:00.000Z');
    const qr = gateway.sign(token, expires);
    expect(gateway.read(qr)).to.deep.equal({ token, expiresAt: expires });

    const [payload, signature] = qr.split('.') as [string, string];
    const other = Buffer.from(JSON.stringify({ v: 1, t: newToken(), e: expires.toISOString() })).toString(
      'base64url',
    );
    expect(gateway.read(`${other}.${signature}`)).to.equal(undefined);
    expect(gateway.read(`${payload}.${signature.slice(0, -4)}AAAA`)).to.equal(undefined);
    expect(gateway.read(new QrSigner(key('DEMO_CONSUMER')).sign(token, expires))).to.equal(undefined);
    expect(gateway.read('garbage')).to.equal(undefined);
  });

  it('tokens are 128 random bits in base64url, short codes six digits', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => newToken()));
    expect(tokens.size).to.equal(200);
    for (const token of tokens) {
      expect(token).to.match(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(token, 'base64url')).to.have.length(16);
    }
    for (let i = 0; i < 200; i++) expect(newShortCode()).to.match(/^[0-9]{6}$/);
  });

  it('keyed hashes depend on the key and are separated by kind', () => {
    const a = new Hasher('a'.repeat(32));
    const b = new Hasher('b'.repeat(32));
    expect(a.iin('870412300517')).to.match(/^[0-9a-f]{64}$/);
    expect(a.iin('870412300517')).not.to.equal(b.iin('870412300517'));
    expect(a.iin('123456')).not.to.equal(a.code('123456'));
    expect(a.token('123456')).not.to.equal(a.code('123456'));
  });

  it('settings: defaults, and an access longer than the longest is refused at start', () => {
    const settings = parseDocumentsSettings({});
    expect(settings.accessMinutes).to.equal(10);
    expect(settings.identityTypes).to.deep.equal(['ID_CARD', 'PASSPORT']);
    expect(() => parseDocumentsSettings({ accessMinutes: 90, maxAccessMinutes: 60 })).to.throw(
      /accessMinutes/,
    );
    expect(() => parseDocumentsSettings({ iinHmacSecret: 'short' })).to.throw(/iinHmacSecret/);
    expect(() => parseDocumentsSettings({ unknown: 1 })).to.throw(/documents/);
  });

  it('every refusal code is upper snake case', () => {
    for (const code of DOCUMENTS_REFUSAL_CODES) expect(code).to.match(/^[A-Z]+(_[A-Z]+)*$/);
  });
});
