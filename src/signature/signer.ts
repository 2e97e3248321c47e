/**
 * The gateway's signatures on what it writes: each writer hands over the elements it created (the block to sign
 * and the empty container beside it), and faults are signed at the places the fault writer puts them.
 */
import type { AnswerSigner, SignatureSlot } from '../core/ports.js';
import { childElements, parseDom, type Document, type Element } from '../xml/dom.js';
import { signTree } from './tree-signer.js';
import type { SigningKey } from './signing-key.js';

export class GatewaySigner implements AnswerSigner {
  constructor(private readonly key: SigningKey) {}

  async signAnswer(doc: Document, slots: readonly SignatureSlot[]): Promise<string> {
    return signTree(doc, slots, this.key);
  }

  /** A fault written with its slot: the SOAP Body (`wsu:Id`) is signed into the Header's SMEVSignature. */
  async signFault(xml: string): Promise<string> {
    const doc = parseDom(xml);
    const envelope = doc.documentElement as Element;
    const [header, body] = childElements(envelope);
    const container = header ? childElements(header).find((e) => e.localName === 'SMEVSignature') : undefined;
    if (!body || !container) throw new Error('the fault has no signature slot');
    return signTree(doc, [{ target: body, container }], this.key);
  }
}
