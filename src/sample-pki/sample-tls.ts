/**
 * TLS certificates for the sample PKI, issued by the sample CA into `tls/`: a server certificate for this machine
 * (`localhost`, `127.0.0.1`, `::1` as subject alternative names) and a client certificate for mutual TLS. Sample
 * material only, like the rest of the sample PKI. `issue.ts` makes signing certificates, which carry neither
 * alternative names nor extended key usage, so TLS certificates are built here.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { randomSerial, serialToDerHex, type IssuedPair } from './issue.js';

export interface TlsCertificateOptions {
  readonly commonName: string;
  readonly organization?: string;
  /** `server` (extended key usage serverAuth) or `client` (clientAuth). */
  readonly role: 'server' | 'client';
  /** Subject alternative names: host names and IP addresses (v4 or v6). */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** The sample TLS files, relative to the sample PKI folder. */
export const SAMPLE_TLS_FILES = {
  serverCert: 'tls/server.crt.pem',
  serverKey: 'tls/server.key.pem',
  clientCert: 'tls/client.crt.pem',
  clientKey: 'tls/client.key.pem',
} as const;

/** Writes the sample TLS server and client certificates, issued by `ca`, into `outDir/tls`; returns the paths. */
export async function writeSampleTls(
  outDir: string,
  ca: IssuedPair,
  validity: { readonly notBefore: Date; readonly notAfter: Date },
): Promise<string[]> {
  const server = issueTlsCertificate(ca, {
    commonName: 'localhost',
    organization: 'smev-gateway operator (sample)',
    role: 'server',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
    ...validity,
  });
  const client = issueTlsCertificate(ca, {
    commonName: 'DEMO_CONSUMER TLS client',
    organization: 'Demo Consumer Agency (sample)',
    role: 'client',
    ...validity,
  });
  await mkdir(join(outDir, 'tls'), { recursive: true });
  const files: Array<[string, string, number]> = [
    [SAMPLE_TLS_FILES.serverCert, server.certPem, 0o644],
    [SAMPLE_TLS_FILES.serverKey, server.keyPem, 0o600],
    [SAMPLE_TLS_FILES.clientCert, client.certPem, 0o644],
    [SAMPLE_TLS_FILES.clientKey, client.keyPem, 0o600],
  ];
  for (const [name, text, mode] of files) await writeFile(join(outDir, name), text, { mode });
  return files.map(([name]) => join(outDir, name));
}

/** A TLS leaf certificate signed by `ca` (RSA-2048, SHA-256). */
export function issueTlsCertificate(ca: IssuedPair, options: TlsCertificateOptions): IssuedPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
  // node's native generator: forge's pure-JS one takes seconds per key.
  const { privateKey: keyPem } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = serialToDerHex(randomSerial());
  cert.validity.notBefore = options.notBefore;
  cert.validity.notAfter = options.notAfter;
  const subject: forge.pki.CertificateField[] = [{ shortName: 'C', value: 'RU' }];
  if (options.organization)
    subject.push({ shortName: 'O', value: options.organization, valueTagClass: utf8() });
  subject.push({ shortName: 'CN', value: options.commonName, valueTagClass: utf8() });
  cert.setSubject(subject);
  // forge reads UTF8String values as raw UTF-8 bytes and encodes them again on output: decode them first.
  cert.setIssuer(
    caCert.subject.attributes.map((a) =>
      a.valueTagClass === utf8() && typeof a.value === 'string'
        ? { ...a, value: forge.util.decodeUtf8(a.value) }
        : a,
    ),
  );
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: false },
    // keyEncipherment for TLS 1.2's RSA key exchange, digitalSignature for everything else.
    {
      name: 'keyUsage',
      critical: true,
      digitalSignature: true,
      keyEncipherment: options.role === 'server',
    },
    options.role === 'server'
      ? { name: 'extKeyUsage', serverAuth: true }
      : { name: 'extKeyUsage', clientAuth: true },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** UTF8String (forge's typings call the field a class although forge reads it as a universal tag number). */
function utf8(): forge.asn1.Class {
  return forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
}
