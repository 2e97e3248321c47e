/**
 * Whether text is base64 as every XMLDSig tool and PEM reader takes it: the standard alphabet, a length that is a
 * multiple of four, and at most two `=` at the end (xs:base64Binary once whitespace is removed). Node's decoder
 * skips stray characters and stops at misplaced padding, so text is checked before it is decoded. The empty text
 * passes; a caller that needs content says so.
 */
export function isBase64(text: string): boolean {
  return text.length % 4 === 0 && ALPHABET.test(text);
}

// With the length a multiple of four, this is the same as groups of four ending in `xx==` or `xxx=`, without a
// backtracking group per four characters.
const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;
