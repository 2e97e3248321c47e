/**
 * Text from elsewhere (the store, an archive, the network, a request) made safe to print on a terminal, by the
 * command line or in the gateway's log lines: each control character in it (control-characters.ts) would act on
 * the terminal instead of being read, move the cursor, clear the screen, hide what follows, or start a line of its
 * own such as a forged `verdict: intact`. It is shown as an escape instead (`\x1b`, `\x0a`, `\u202e`), so the text
 * stays readable and nothing in it acts.
 */
import { CONTROL_CHARACTER } from './control-characters.js';

const CONTROL = new RegExp(CONTROL_CHARACTER.source, 'g');

const hex = (char: string, digits: number) => (char.codePointAt(0) ?? 0).toString(16).padStart(digits, '0');
const escape = (char: string) => (char < '\u0100' ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`);

/** One value or one line: every control character shown, line breaks and tabs too. */
export const printable = (text: string): string => text.replace(CONTROL, escape);

/**
 * A document printed whole (XML, CSV, a stack): its line breaks (LF, CR LF) and tabs kept, every other control
 * character shown, a carriage return too when it ends no line, since the rest of the line would overwrite it.
 */
export const printableText = (text: string): string =>
  text.replace(CONTROL, (char, at: number) =>
    char === '\n' || char === '\t' || (char === '\r' && text[at + 1] === '\n') ? char : escape(char),
  );

/**
 * JSON text as JSON.stringify writes it, which escapes the C0 controls in strings but leaves the rest raw (DEL, the
 * C1 controls, the line separators, the bidi controls): those escaped as `\uXXXX`, so it parses back to the same
 * value. A C0 character left in it is its own indentation.
 */
export const printableJson = (json: string): string =>
  json.replace(CONTROL, (char) => (char < ' ' ? char : `\\u${hex(char, 4)}`));
