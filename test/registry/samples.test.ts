/**
 * The `samples` setting: on by default, off as soon as a configuration names its own CA. Off, no sample CA is
 * trusted and no sample participant is seeded, and the first start on one's own PKI works. A declined applicant
 * may apply again.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, SAMPLE_PKI } from '../../src/config/config.js';
import { PACKAGE_ROOT } from '../../src/config/package-root.js';
import { addYears, createCrl, createRootCa, issueCertificate } from '../../src/sample-pki/issue.js';
import { innWithCheckDigit, ogrnWithCheckDigit } from '../../src/registry/seed.js';
import { post, signedCall, useGateway } from '../support/gateway.js';

describe('samples setting', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'smev-samples-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  // One's own PKI, made now: a CA, its CRL and the gateway's certificate.
  const now = new Date();
  const ca = createRootCa({ commonName: 'Own CA', now, years: 2 });
  const own = {
    trustedCaFiles: [file('ca.crt.pem', ca.certPem)],
    crlFiles: [file('ca.crl.pem', createCrl(ca, [], { thisUpdate: now, nextUpdate: addYears(now, 1) }))],
    ...(() => {
      const gateway = issueCertificate(ca, {
        commonName: 'gateway',
        notBefore: now,
        notAfter: addYears(now, 1),
      });
      return {
        gatewayCertificate: file('gw.crt.pem', gateway.certPem),
        gatewayKey: file('gw.key.pem', gateway.keyPem),
      };
    })(),
  };
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is on by default, trusting the sample PKI shipped with the package', () => {
    const config = loadConfig({ env: {} });
    expect(config.samples).to.equal(true);
    expect(config.pki).to.deep.equal(SAMPLE_PKI);
    for (const path of config.pki.trustedCaFiles) expect(path.startsWith(PACKAGE_ROOT)).to.equal(true);
  });

  it('is off when the configuration names its own CA, trusting only that', () => {
    const config = loadConfig({ env: {}, overrides: { pki: own } });
    expect(config.samples).to.equal(false);
    expect(config.pki.trustedCaFiles).to.deep.equal(own.trustedCaFiles);
    expect(config.pki.crlFiles).to.deep.equal(own.crlFiles);
  });

  it('off, names every file it still needs', () => {
    for (const load of [
      () => loadConfig({ env: { SAMPLES: 'false' } }),
      () => loadConfig({ env: {}, overrides: { samples: false } }),
    ]) {
      expect(load)
        .to.throw(ConfigError)
        .with.property('message')
        .that.includes('pki.trustedCaFiles: required when samples are off')
        .and.includes('pki.gatewayCertificate: required when samples are off')
        .and.includes('pki.gatewayKey: required when samples are off');
    }
    expect(() =>
      loadConfig({ env: {}, overrides: { pki: { trustedCaFiles: own.trustedCaFiles } } }),
    ).to.throw('pki.gatewayKey: required when samples are off');
  });

  it('asked for beside one’s own CA, trusts both', () => {
    const config = loadConfig({ env: { SAMPLES: 'true' }, overrides: { pki: own } });
    expect(config.samples).to.equal(true);
    expect(config.pki.trustedCaFiles).to.deep.equal([...own.trustedCaFiles, ...SAMPLE_PKI.trustedCaFiles]);
    expect(config.pki.gatewayKey).to.equal(own.gatewayKey);
  });

  describe('a first start on one’s own PKI', () => {
    const gateway = useGateway({ overrides: { pki: own } });

    it('seeds no sample participant and trusts no sample key', async () => {
      expect(await gateway.registry.listParticipants({ name: 'op', role: 'operator' })).to.deep.equal([]);
      const { status, body } = await post(gateway, signedCall().xml);
      expect(status).to.equal(500);
      expect(body).to.include('SignatureVerificationFault');
    });

    it('lets a declined applicant apply again, keeping its story', async () => {
      const operator = { name: 'op', role: 'operator' as const };
      const coordinator = { name: 'co', role: 'coordinator' as const };
      const application = {
        fullName: 'Applicant',
        shortName: 'APP',
        legalForm: 'state institution',
        ogrn: ogrnWithCheckDigit('102770000777'),
        inn: innWithCheckDigit('770000777'),
        address: 'Address',
        head: 'Head',
        contact: { name: 'C', position: 'officer', phone: '+7 912 345-67-89', email: 'c@example.org' },
      };
      const first = await gateway.registry.submitApplication(operator, application);
      await gateway.registry.transition(coordinator, first.id, 'decline', 'documents incomplete');
      const again = await gateway.registry.submitApplication(operator, {
        ...application,
        address: 'New address',
      });
      expect(again.id).to.equal(first.id);
      const shown = await gateway.registry.getParticipant(operator, first.id);
      expect(shown.status).to.equal('submitted');
      expect(shown.address).to.equal('New address');
      expect(shown.transitions.map((t) => `${t.from_status ?? ''}>${t.to_status}`)).to.deep.equal([
        '>submitted',
        'submitted>declined',
        'declined>submitted',
      ]);
      // Applying once more while the new application waits is still refused.
      let refused: unknown;
      await gateway.registry
        .submitApplication(operator, application)
        .catch((error: unknown) => (refused = error));
      expect(refused).to.have.property('status', 409);
    });
  });
});
