/**
 * The gateway's signatures on an answer: the hosted provider's `SenderProvidedResponseData` into
 * `SenderInformationSystemSignature`, then the gateway's own over `Response` into `SMEVSignature`; and faults,
 * over the fault element, into the `SMEVSignature` beside it.
 */
import type { AnswerSigner } from '../exchange/dependencies.js';
import { signDetached, type SigningKey } from './xml-signature.js';

export class GatewaySigner implements AnswerSigner {
  constructor(private readonly key: SigningKey) {}

  signAnswer(xml: string): string {
    const byProvider = signDetached(xml, 'SIGNED_BY_PROVIDER', 'SenderInformationSystemSignature', this.key);
    return signDetached(byProvider, 'SIGNED_BY_SMEV', 'SMEVSignature', this.key);
  }

  signFault(xml: string): string {
    return signDetached(xml, 'SIGNED_BY_SMEV', 'SMEVSignature', this.key);
  }
}
