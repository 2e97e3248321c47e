/**
 * What the registry accepts, as zod schemas (unknown fields refused), and the checks at the door: check digits,
 * formats, the mnemonic. Each failure names its field.
 */
import { z } from 'zod';
import { parseRouteProvider } from '../core/route-provider.js';
import { invalid, invalidFields, type FieldProblem } from './errors.js';
import type { CheckResult } from '../identifiers/check.js';
import { checkKpp, checkLegalEntityInn } from '../identifiers/inn.js';
import { checkOgrn } from '../identifiers/ogrn.js';
import { checkEmail, checkMnemonic, checkRussianPhone } from './checks.js';
import { isBase64 } from '../core/base64.js';
import { CONTROL_CHARACTER } from '../core/control-characters.js';
import { QUEUE_NAME_MAX_LENGTH, queueNameLength, type MessageType } from '../core/model.js';

/**
 * Text a person reads, in the console and on a terminal: no control characters (core/control-characters.ts), which
 * would act on the terminal of whoever lists it, or reorder what it shows.
 */
const plain = (value: z.ZodString) =>
  value.refine((text) => !CONTROL_CHARACTER.test(text), 'must not contain control characters');
/** Required text of at most `max` characters, trimmed, as plain as `plain`. */
export const text = (max: number) => plain(z.string().trim().min(1).max(max));
/**
 * A message type's namespace as XML names it: a URI with its scheme (`urn:`, `http:`), no spaces and no control
 * characters; it is shown to operators in lists of routes and applications. One rule, so one problem of the field.
 */
const namespaceUri = z
  .string()
  .trim()
  .max(500)
  .refine(
    (uri) => /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri) && !CONTROL_CHARACTER.test(uri),
    'must be a URI with its scheme, such as urn://example/service/1.0, without spaces or control characters',
  );
/** Why a route's message type would name a queue longer than the official schema allows; undefined when it does not. */
export function queueNameProblem(type: MessageType): string | undefined {
  const length = queueNameLength(type);
  if (length <= QUEUE_NAME_MAX_LENGTH) return undefined;
  return (
    `with its namespace it names a queue of ${length} characters ({namespace}localName); the official ` +
    `SMEV 3 schema allows at most ${QUEUE_NAME_MAX_LENGTH}`
  );
}
/** The refinement of a route's fields by `queueNameProblem`, reported on localName. */
const queueNameFits = (route: MessageType, ctx: z.RefinementCtx) => {
  const problem = queueNameProblem(route);
  if (problem) ctx.addIssue({ code: 'custom', path: ['localName'], message: problem });
};
/**
 * A route's provider as stored: text that names one. A remote address carries no credentials: fetch refuses such
 * a URL, and the route's text is shown to operators and written to logs.
 */
const providerText = (message: string) =>
  text(1000)
    .refine((value) => parseRouteProvider(value) !== undefined, message)
    .refine((value) => !hasCredentials(value), 'a remote provider address carries no user name or password');

function hasCredentials(value: string): boolean {
  const provider = parseRouteProvider(value);
  if (provider?.kind !== 'remote') return false;
  try {
    const url = new URL(provider.url);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

export const ApplicationInput = z
  .object({
    fullName: text(500),
    shortName: text(200),
    legalForm: text(100),
    ogrn: z.string(),
    inn: z.string(),
    kpp: z.string().optional(),
    address: text(500),
    head: text(200),
    /** A state body or local government must record its interaction agreement before it becomes active. */
    kind: z.enum(['state-body', 'local-government', 'organisation']).optional(),
    /** Code in the `spheres` reference book; a new application without one is in `other`. */
    sphere: text(50).optional(),
    contact: z
      .object({ name: text(200), position: text(200), phone: z.string(), email: z.string() })
      .strict(),
  })
  .strict();
export type ApplicationInput = z.infer<typeof ApplicationInput>;

const isoDay = z.iso.date();

/** A reported change: the whole record again, and the day the change took effect. */
export const ChangeInput = ApplicationInput.extend({ changedOn: isoDay }).strict();

export const AgreementInput = z
  .object({
    number: text(100),
    signedOn: isoDay,
    // No path separators and no control characters: the name is only ever a download's suggested name.
    fileName: text(255).refine((name) => !/[/\\]/.test(name), 'must be a plain file name'),
    mediaType: z.enum([
      'application/pdf',
      'application/pkcs7-mime',
      'application/pkcs7-signature',
      'application/zip',
    ]),
    /** The signed document, base64; at most 5 MiB decoded. */
    contentBase64: z
      .string()
      .min(4)
      .max(7 * 1024 * 1024)
      .refine(isBase64, 'must be base64'),
  })
  .strict();

export const RouteApplicationInput = z
  .object({
    consumer: z.string(),
    namespace: namespaceUri,
    localName: text(200).regex(/^[A-Za-z_][\w.-]*$/, 'must be an XML local name'),
    recipient: z.string(),
  })
  .strict()
  .superRefine(queueNameFits);

export const ApprovalInput = z
  .object({
    provider: providerText('must be builtin:<service>, remote:<url>, or queue').optional(),
  })
  .strict();

export const ReferenceEntryInput = z.object({ title: text(500), active: z.boolean().default(true) }).strict();

export const SystemInput = z.object({ mnemonic: z.string(), name: text(500) }).strict();
export type SystemInput = z.infer<typeof SystemInput>;

export const CertificateInput = z
  .object({
    pem: z
      .string()
      .min(1)
      .max(64 * 1024),
  })
  .strict();

export const RouteInput = z
  .object({
    consumer: z.string(),
    namespace: namespaceUri,
    localName: text(200).regex(/^[A-Za-z_][\w.-]*$/, 'must be an XML local name'),
    recipient: z.string(),
    provider: providerText(
      'must be builtin:<service>, remote:<url>, or queue (the recipient takes its requests with GetRequest)',
    ),
  })
  .strict()
  .superRefine(queueNameFits);
export type RouteInput = z.infer<typeof RouteInput>;

export const ReasonInput = z.object({ reason: plain(z.string().trim().max(1000)).optional() }).strict();

/** A reason as the registry keeps it, however it came (the API, the console, the command line). */
export const checkedReason = (reason: string | undefined): string | undefined =>
  parseInput(ReasonInput, reason === undefined ? {} : { reason }).reason;

/** A lifecycle action: its reason, and the version of the participant it was decided on (refused if it moved). */
export const LifecycleActionInput = ReasonInput.extend({
  version: z.number().int().positive().optional(),
}).strict();

export const TokenInput = z
  .object({
    name: text(200),
    role: z.enum(['operator', 'coordinator', 'auditor', 'participant', 'authority']),
    /** A coordinator's spheres (reference book codes); none means every sphere. */
    spheres: z.array(text(50)).min(1).max(50).optional(),
    /** The participant a participant token acts for. */
    participantId: z.string().max(36).optional(),
  })
  .strict();

function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'body'),
    message: issue.message,
  }));
}

/** Parse with a zod schema; every problem is named in one RegistryError, the first giving its field. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalidFields(problemsOf(parsed.error));
}

function passed(result: CheckResult): string {
  if (!result.ok) throw invalid(result.field, result.reason);
  return result.value;
}

/** The checks at the door of an application, by the field they judge. */
const APPLICATION_CHECKS: readonly (readonly [string, (value: string, field: string) => CheckResult])[] = [
  ['ogrn', checkOgrn],
  ['inn', checkLegalEntityInn],
  ['kpp', checkKpp],
  ['contact.phone', checkRussianPhone],
  ['contact.email', checkEmail],
];

const at = (value: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (node, key) =>
        typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined,
      value,
    );

/**
 * An application with every field checked and in the form the registry stores. Every bad field is reported at
 * once: the schema's problems and the door checks of each field given as text, even when other fields fail.
 */
export function checkedApplication<T extends ApplicationInput>(
  body: unknown,
  schema: z.ZodType<T> = ApplicationInput as z.ZodType<T>,
) {
  const parsed = schema.safeParse(body);
  const problems = parsed.success ? [] : problemsOf(parsed.error);
  const canonical = new Map<string, string>();
  for (const [field, check] of APPLICATION_CHECKS) {
    const raw = at(body, field);
    if (typeof raw !== 'string' || problems.some((p) => p.field === field)) continue;
    const result = check(raw, field);
    if (result.ok) canonical.set(field, result.value);
    else problems.push({ field: result.field, message: result.reason });
  }
  if (!parsed.success || problems.length > 0) throw invalidFields(problems);
  const input = parsed.data;
  const value = (field: string) => canonical.get(field) ?? '';
  return {
    ...input,
    ogrn: value('ogrn'),
    inn: value('inn'),
    kpp: input.kpp === undefined ? null : value('kpp'),
    contact: { ...input.contact, phone: value('contact.phone'), email: value('contact.email') },
  };
}

export function checkedMnemonic(value: string, field = 'mnemonic'): string {
  return passed(checkMnemonic(value, field));
}
