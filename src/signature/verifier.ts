/**
 * The caller's signature, checked as DESIGN section 4 says: shape first (no wrapping), then the certificate
 * (trust chain, validity at the time of the message, CRL, key usage), then the cryptography with that
 * certificate's key, and only then whether the certificate belongs to a registered system that may exchange now.
 * The registration is looked at last so that a caller who cannot sign learns nothing about it: an unknown and an
 * unregistered certificate get the same fault. The key is never one the message chose apart from its certificate,
 * and a registered system is found by the thumbprint of that very certificate.
 */
import type { SignatureVerifier, VerifiedSender } from '../core/ports.js';
import type { SignedPart } from '../core/model.js';
import { GatewayFault } from '../core/faults.js';
import type { Document } from '../xml/dom.js';
import type { TrustStore } from './pki/trust-store.js';
import type { SystemDirectory } from './systems.js';
import { checkSignature } from './xml-signature.js';

export class XmlSignatureVerifier implements SignatureVerifier {
  constructor(
    private readonly trust: TrustStore,
    private readonly systems: SystemDirectory,
  ) {}

  async verifyRequest(doc: Document, _text: string, request: SignedPart, at: Date): Promise<VerifiedSender> {
    const certificate = checkSignature(doc, request.callerSignature, request.signedBlock, this.trust, at, {
      sole: true,
    });
    const system = await this.systems.systemForCertificate(certificate.thumbprint);
    if (!system) {
      throw new GatewayFault(
        'SenderIsNotRegistered',
        `the signing certificate ${certificate.thumbprint.slice(0, 16)}… (${certificate.subject}) is registered to no information system`,
      );
    }
    // Every operation, not only those that route: a suspended or blocked system neither sends nor takes.
    if (!system.active) {
      throw new GatewayFault(
        'AccessDenied',
        `${system.mnemonic} may not exchange messages: ${system.why ?? 'it is not active'}`,
      );
    }
    return {
      mnemonic: system.mnemonic,
      humanReadableName: system.humanReadableName,
      certificateThumbprint: certificate.thumbprint,
    };
  }
}
