/**
 * Which information system a signing certificate belongs to. The participant registry answers this; until it
 * holds the systems, a configured list of system certificates does.
 */
import { readFileSync } from 'node:fs';
import type { SystemRef } from '../exchange/dependencies.js';
import { certificateDer, thumbprint } from './pki/thumbprint.js';

export interface SystemDirectory {
  systemForCertificate(thumbprint: string): Promise<SystemRef | undefined>;
}

export class ConfiguredSystems implements SystemDirectory {
  private readonly byThumbprint = new Map<string, SystemRef>();

  constructor(systems: ReadonlyArray<{ mnemonic: string; name?: string | undefined; certificate: string }>) {
    for (const system of systems) {
      const der = certificateDer(readFileSync(system.certificate, 'utf8'));
      if (!der) throw new Error(`the certificate of ${system.mnemonic} (${system.certificate}) is not a PEM certificate`);
      this.byThumbprint.set(thumbprint(der), {
        mnemonic: system.mnemonic,
        humanReadableName: system.name ?? system.mnemonic,
      });
    }
  }

  async systemForCertificate(certificateThumbprint: string): Promise<SystemRef | undefined> {
    return this.byThumbprint.get(certificateThumbprint);
  }
}
