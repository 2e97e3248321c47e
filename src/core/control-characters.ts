/**
 * Characters that act on a terminal, or on how text is laid out, instead of being read: the C0 and C1 controls
 * and DEL (cursor moves, colours, a window title, concealment, line breaks), the Unicode line and paragraph
 * separators, and the bidirectional embeddings, overrides and isolates, which reorder what is shown (a name can
 * show a word reversed). Marks of direction (U+200E, U+200F) and joiners are left: they reorder nothing and belong
 * to ordinary text. The registry refuses these in what it is given; the command line and the log show them escaped
 * (printable.ts).
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTER = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
