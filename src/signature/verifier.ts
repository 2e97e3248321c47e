/**
 * The caller's signature, checked as DESIGN section 4 says: shape first (no wrapping), then the certificate
 * (trust chain, validity at the time of the message, CRL), then the certificate must belong to a registered
 * system, and only then the cryptography — with that registered certificate, never a key the message chose.
 */
import type { SignatureVerifier, VerifiedSender } from '../exchange/dependencies.js';
import type { SignedPart } from '../exchange/request.js';
import { GatewayFault } from '../soap/faults.js';
import type { Document } from '../xml/dom.js';
import type { TrustStore } from './pki/trust-store.js';
import { readSignature } from './signature-element.js';
import type { SystemDirectory } from './systems.js';
import { verifyDetached } from './xml-signature.js';

export class XmlSignatureVerifier implements SignatureVerifier {
  constructor(
    private readonly trust: TrustStore,
    private readonly systems: SystemDirectory,
  ) {}

  async verifyRequest(doc: Document, _text: string, request: SignedPart, at: Date): Promise<VerifiedSender> {
    const signature = readSignature(doc, request.callerSignature, request.signedBlock);
    const certificate = this.trust.check(signature.certificate, at);
    const system = await this.systems.systemForCertificate(certificate.thumbprint);
    if (!system) {
      throw new GatewayFault(
        'SenderIsNotRegistered',
        `the signing certificate ${certificate.thumbprint.slice(0, 16)}… (${certificate.subject}) is registered to no information system`,
      );
    }
    verifyDetached(signature, certificate.publicKey, request.signedBlock);
    return { ...system, certificateThumbprint: certificate.thumbprint };
  }
}
