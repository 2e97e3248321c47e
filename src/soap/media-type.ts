/**
 * Content-Type values as the gateway reads them, the request's and each MTOM part's alike (RFC 9110 8.3.1:
 * `type/subtype *( OWS ";" OWS [ name=value ] )`). One reading for all, and ambiguity refused by it: a parameter
 * given twice (a reader taking the first and one taking the last would act on different values), or text that is
 * no parameter at all (which one reader skips and another reads somehow).
 */
import { GatewayFault } from '../core/faults.js';

export interface MediaType {
  /** `type/subtype`, in lower case. */
  readonly essence: string;
  /** Parameters by lower-case name, values unquoted. */
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A parameter: its name, then a quoted string (with `\` escapes) or a bare value up to the next `;`. */
const PARAMETER = /^([^=;\s]+)=(?:"((?:[^"\\]|\\.)*)"[ \t]*|([^;"\s](?:[^;"]*[^;"\s])?)[ \t]*)(?:;|$)/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** `type/subtype` as `text` gives it, in lower case, unchecked: what a refusal of the rest may still go by. */
export function essenceOf(text: string): string {
  const semicolon = text.indexOf(';');
  return (semicolon < 0 ? text : text.slice(0, semicolon)).trim().toLowerCase();
}

/** The media type `text` names; UnsupportedMediaType when it is malformed or ambiguous. */
export function parseMediaType(text: string): MediaType {
  const malformed = (why: string) =>
    new GatewayFault('UnsupportedMediaType', `the content type is malformed: ${why}`);
  if (CONTROL.test(text)) throw malformed('it holds control characters');
  const semicolon = text.indexOf(';');
  const essence = essenceOf(text);
  const [type = '', subtype = '', ...more] = essence.split('/');
  if (!TOKEN.test(type) || !TOKEN.test(subtype) || more.length > 0) throw malformed('no type/subtype');
  const params = new Map<string, string>();
  let rest = semicolon < 0 ? '' : text.slice(semicolon + 1);
  for (rest = rest.replace(/^[\s;]+/, ''); rest !== ''; rest = rest.replace(/^[\s;]+/, '')) {
    const match = PARAMETER.exec(rest);
    const name = match?.[1]?.toLowerCase();
    if (!match || name === undefined || !TOKEN.test(name)) {
      throw malformed(`"${rest.split(';')[0]?.slice(0, 60)}" is not a parameter`);
    }
    if (params.has(name))
      throw new GatewayFault('UnsupportedMediaType', `the content type gives the ${name} parameter twice`);
    params.set(name, match[2] === undefined ? (match[3] ?? '') : match[2].replace(/\\(.)/g, '$1'));
    rest = rest.slice(match[0].length);
  }
  return { essence, params };
}
