/**
 * First start: the sample participants go through the same lifecycle an operator would take them through
 * (apply, check, register, activate, systems, certificates, routes), so the audit trail of a fresh install is
 * itself a valid record of how they got there.
 */
import { readFileSync } from 'node:fs';
import { packageFile } from '../config/package-root.js';
import { formatRouteProvider } from '../core/route-provider.js';
import { GOST_SAMPLE_ORGANISATION, GOST_SAMPLE_SYSTEM } from '../sample-pki/sample.js';
import type { Store } from '../store/store.js';
import type { Actor, Registry } from './registry.js';

const operator: Actor = { name: 'first-start seed', role: 'operator' };
const coordinator: Actor = { name: 'first-start seed', role: 'coordinator' };

/** The gateway's own system, which hosts the built-in providers. */
export const GATEWAY_MNEMONIC = 'SMEV_GATEWAY';

interface SampleParticipant {
  readonly mnemonic: string;
  readonly organisation: string;
  readonly certificate: string;
  /** 12 digits; the check digit is computed. */
  readonly ogrnBase: string;
  /** 9 digits; the check digit is computed. */
  readonly innBase: string;
}

export const SAMPLE_PARTICIPANTS: readonly SampleParticipant[] = [
  {
    mnemonic: GATEWAY_MNEMONIC,
    organisation: 'smev-gateway operator (sample)',
    certificate: packageFile('certs-sample/gateway.crt.pem'),
    ogrnBase: '102770000001',
    innBase: '770000001',
  },
  {
    mnemonic: 'DEMO_CONSUMER',
    organisation: 'Demo Consumer Agency (sample)',
    certificate: packageFile('certs-sample/DEMO_CONSUMER.crt.pem'),
    ogrnBase: '102770000002',
    innBase: '770000002',
  },
  {
    mnemonic: 'SOCPROTECT_47',
    organisation: 'Social Protection Committee of Region 47 (sample)',
    certificate: packageFile('certs-sample/SOCPROTECT_47.crt.pem'),
    ogrnBase: '104470000003',
    innBase: '470000003',
  },
  {
    mnemonic: 'SOCCARD_28',
    organisation: 'Social Card Centre of Region 28 (sample)',
    certificate: packageFile('certs-sample/SOCCARD_28.crt.pem'),
    ogrnBase: '102280000004',
    innBase: '280000004',
  },
  {
    mnemonic: 'PORTAL_26',
    organisation: 'Regional Public Services Portal 26 (sample)',
    certificate: packageFile('certs-sample/PORTAL_26.crt.pem'),
    ogrnBase: '102260000005',
    innBase: '260000005',
  },
  // Signs with GOST R 34.10-2012 (certs-sample/gost/), the algorithm real SMEV participants use.
  {
    mnemonic: GOST_SAMPLE_SYSTEM,
    organisation: GOST_SAMPLE_ORGANISATION,
    certificate: packageFile(`certs-sample/gost/${GOST_SAMPLE_SYSTEM}.crt.pem`),
    ogrnBase: '102770000006',
    innBase: '770000006',
  },
];

/** A request a built-in service answers (providers/builtin.ts `builtinMessageTypes()`). */
export interface BuiltinMessageType {
  readonly service: string;
  readonly namespace: string;
  readonly localName: string;
}

/** Message types every sample consumer may send: every request of every built-in service. */
export function sampleRoutes(builtin: readonly BuiltinMessageType[]) {
  return builtin.map((t) => ({
    namespace: t.namespace,
    localName: t.localName,
    provider: formatRouteProvider({ kind: 'hosted', service: t.service }),
  }));
}

export function ogrnWithCheckDigit(base12: string): string {
  return base12 + String((BigInt(base12) % 11n) % 10n);
}

export function innWithCheckDigit(base9: string): string {
  const weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(base9[i]), 0);
  return base9 + String((sum % 11) % 10);
}

/**
 * The sample participants, systems, certificates and routes, when the registry is empty. `builtin` is what the
 * built-in services answer; the caller passes it (the registry sits below the providers and does not import them).
 */
export async function seedIfEmpty(
  store: Store,
  registry: Registry,
  builtin: readonly BuiltinMessageType[],
): Promise<boolean> {
  const existing = await store.db.selectFrom('participants').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  for (const sample of SAMPLE_PARTICIPANTS) {
    const participant = await registry.submitApplication(operator, {
      fullName: sample.organisation,
      shortName: sample.mnemonic,
      legalForm: 'state institution',
      ogrn: ogrnWithCheckDigit(sample.ogrnBase),
      inn: innWithCheckDigit(sample.innBase),
      address: 'Sample address, for trying the gateway only',
      head: 'Sample Head',
      contact: {
        name: 'Sample Contact',
        position: 'connection officer',
        phone: '+7 900 000-00-00',
        email: 'contact@example.org',
      },
    });
    await registry.transition(coordinator, participant.id, 'check');
    await registry.transition(operator, participant.id, 'register');
    await registry.transition(operator, participant.id, 'activate');
    await registry.addSystem(operator, participant.id, {
      mnemonic: sample.mnemonic,
      name: sample.organisation,
    });
    await registry.addCertificate(operator, sample.mnemonic, {
      pem: readFileSync(sample.certificate, 'utf8'),
    });
  }
  for (const sample of SAMPLE_PARTICIPANTS.filter((s) => s.mnemonic !== GATEWAY_MNEMONIC)) {
    for (const route of sampleRoutes(builtin)) {
      await registry.addRoute(operator, { consumer: sample.mnemonic, recipient: GATEWAY_MNEMONIC, ...route });
    }
  }
  return true;
}
