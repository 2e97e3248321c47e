/**
 * `certs issue` makes a key and certificate for a new system from a CA one holds, RSA or GOST after the CA's key,
 * which `certs add` then registers; a CA key that is not its certificate's, a bad mnemonic or a file in the way
 * are refused in one line.
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSigningKey } from '../../src/signature/signing-key.js';
import { openStore } from '../../src/store/store.js';
import { expectCleanFailure, runCli } from './support.js';

describe('certs issue', function () {
  this.timeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'smev-certs-issue-'));
  const env = { SQLITE_FILE: join(dir, 'gateway.db') };
  const rsaCa = [
    '--ca-key',
    resolve('certs-sample/ca.key.pem'),
    '--ca-cert',
    resolve('certs-sample/ca.crt.pem'),
  ];
  const gostCa = [
    '--ca-key',
    resolve('certs-sample/gost/ca.key.pem'),
    '--ca-cert',
    resolve('certs-sample/gost/ca.crt.pem'),
  ];
  let participantId = '';

  before(async () => {
    await (await openStore({ sqliteFile: env.SQLITE_FILE })).close();
    const listed = await runCli(['participants', 'list', '--json'], { cwd: dir, env });
    participantId =
      (JSON.parse(listed.stdout) as { id: string; shortName: string }[]).find(
        (p) => p.shortName === 'PORTAL_26',
      )?.id ?? '';
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [kind, ca, family] of [
    ['RSA', rsaCa, 'rsa'],
    ['GOST', gostCa, 'gost2012-256'],
  ] as const) {
    it(`issues from a ${kind} CA a certificate that certs add registers`, async () => {
      const mnemonic = `NEW_${kind}_SYSTEM`;
      const issued = await runCli(
        [
          'certs',
          'issue',
          mnemonic,
          ...ca,
          '--organization',
          'New Agency',
          '--days',
          '30',
          '--out',
          'issued',
        ],
        { cwd: dir, env },
      );
      expect(issued.code, issued.stderr).to.equal(0);
      expect(issued.stdout).to.include(
        `register it: smev-gateway certs add ${mnemonic} issued/${mnemonic}.crt.pem`,
      );
      const keyFile = join(dir, 'issued', `${mnemonic}.key.pem`);
      const certPem = readFileSync(join(dir, 'issued', `${mnemonic}.crt.pem`), 'utf8');
      expect(statSync(keyFile).mode & 0o077).to.equal(0);
      const key = loadSigningKey(readFileSync(keyFile, 'utf8'), certPem);
      expect(key.signatureAlgorithm).to.match(
        family === 'rsa' ? /rsa-sha256$/ : /gostr34102012-gostr34112012-256$/,
      );
      const certificate = new X509Certificate(certPem);
      expect(certificate.subject).to.include(`OU=${mnemonic}`).and.include('O=New Agency');
      const days = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / 86_400_000;
      expect(days).to.be.within(30, 30.01);

      const added = await runCli(['systems', 'add', participantId, mnemonic, 'New system'], {
        cwd: dir,
        env,
      });
      expect(added.code, added.stderr).to.equal(0);
      const registered = await runCli(['certs', 'add', mnemonic, `issued/${mnemonic}.crt.pem`], {
        cwd: dir,
        env,
      });
      expect(registered.code, registered.stderr).to.equal(0);
      expect(registered.stdout).to.include('active');
    });
  }

  it('refuses a CA key that is not its certificate’s, a bad mnemonic and a file in the way', async () => {
    expectCleanFailure(
      await runCli(
        [
          'certs',
          'issue',
          'OTHER_SYSTEM',
          '--ca-key',
          resolve('certs-sample/gateway.key.pem'),
          '--ca-cert',
          resolve('certs-sample/ca.crt.pem'),
        ],
        { cwd: dir },
      ),
      /the CA key \S+gateway\.key\.pem with \S+ca\.crt\.pem: the private key does not match its certificate/,
    );
    expectCleanFailure(await runCli(['certs', 'issue', 'lower case', ...rsaCa], { cwd: dir }), 'mnemonic: ');
    expectCleanFailure(
      await runCli(['certs', 'issue', 'NEW_RSA_SYSTEM', ...rsaCa, '--out', 'issued'], { cwd: dir }),
      'issued/NEW_RSA_SYSTEM.key.pem exists already',
    );
    expectCleanFailure(
      await runCli(['certs', 'issue', 'OTHER_SYSTEM', ...rsaCa, '--days', 'many'], { cwd: dir }),
      '--days must be a whole number of days, not many',
    );
  });
});
