/**
 * The gateway's signatures on an answer: the hosted provider's `SenderProvidedResponseData` into
 * `SenderInformationSystemSignature`, then the gateway's own over `Response` into `SMEVSignature`; and faults,
 * over the fault element, into the `SMEVSignature` beside it.
 */
import type { AnswerSigner } from '../exchange/dependencies.js';
import type { Document } from '../xml/dom.js';
import { signAnswerTree, signAnswerXml } from './tree-signer.js';
import type { SigningKey } from './signing-key.js';

export class GatewaySigner implements AnswerSigner {
  constructor(private readonly key: SigningKey) {}

  signAnswer(doc: Document): string {
    return signAnswerTree(
      doc,
      [
        { id: 'SIGNED_BY_PROVIDER', container: 'SenderInformationSystemSignature' },
        { id: 'SIGNED_BY_SMEV', container: 'SMEVSignature' },
      ],
      this.key,
    );
  }

  signGatewayBlock(doc: Document): string {
    return signAnswerTree(doc, [{ id: 'SIGNED_BY_SMEV', container: 'SMEVSignature' }], this.key);
  }

  signFault(xml: string): string {
    return signAnswerXml(xml, [{ id: 'SIGNED_BY_SMEV', container: 'SMEVSignature' }], this.key);
  }
}
