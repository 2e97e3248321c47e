/**
 * Who may sign log and audit checkpoints: the gateway itself. A certificate that merely chains to a trusted CA is
 * not enough, since every registered information system holds one; a checkpoint counts only when its certificate
 * is one of the gateway's own (pinned by thumbprint: the current one and any it signed with before a key change)
 * and is trusted at the checkpoint's time.
 */
import { certificateDer, pemBlocks, pemBody, thumbprint } from './thumbprint.js';

/** A certificate check at a moment: throws why the certificate may not be used. TrustStore is one. */
export interface CertificateCheck {
  check(certificate: string, at: Date): unknown;
}

export function checkpointSigners(
  trust: CertificateCheck,
  gatewayCertificatePems: readonly string[],
): CertificateCheck {
  const pinned = new Set(
    gatewayCertificatePems
      .flatMap((text) => pemBlocks(text, 'CERTIFICATE'))
      .map((block) => thumbprint(pemBody(block))),
  );
  return {
    check(certificate, at) {
      const der = certificateDer(certificate);
      if (der === undefined || !pinned.has(thumbprint(der))) {
        throw new Error("the checkpoint is not signed with one of the gateway's certificates");
      }
      return trust.check(certificate, at);
    },
  };
}
