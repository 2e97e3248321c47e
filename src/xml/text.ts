/**
 * Text for xmlbuilder2's `txt()`; every `txt()` takes its value through here (the lint config holds to it).
 * xmlbuilder2 (4.x) takes `&name;` and `&#n;` inside a value for references already escaped and writes them as
 * they are, so a client's "a&e;b" would come out as an undefined entity (an answer no parser reads) and "&#65;" as
 * "A". Escaping every `&` first leaves exactly one `&amp;` for each, which xmlbuilder2 keeps. It writes a carriage
 * return as it is, which the next parser reads as a line feed (XML end-of-line handling); as `&#13;` it stays one
 * (xmlbuilder2 keeps decimal references only).
 */
export function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/\r/g, '&#13;');
}

/** No lone surrogate: `String.prototype.isWellFormed` (Node 20; not in the ES2023 lib this project compiles against). */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
