/**
 * TransactionCode: SMEV 3 gives it no format beyond its length (1500 characters, checked by the schema), so the
 * gateway refuses only what no system could mean as a code: an empty one, or one holding control characters
 * (line breaks and tabs inside included). Leading and trailing whitespace is layout and is dropped.
 */
import { GatewayFault } from '../core/faults.js';
import { NS } from '../soap/namespaces.js';
import { childText, type Element } from '../xml/dom.js';

// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function transactionCodeOf(signedBlock: Element, types: string = NS.types): string | undefined {
  const text = childText(signedBlock, types, 'TransactionCode');
  if (text === undefined) return undefined;
  const code = text.trim();
  if (!code) throw new GatewayFault('TransactionCodeInvalid', 'TransactionCode is empty');
  if (CONTROL.test(code)) {
    throw new GatewayFault('TransactionCodeInvalid', 'TransactionCode holds control characters');
  }
  return code;
}
