/** Registry failures, each with the HTTP status the admin API answers with and, for bad input, the field. */
export type RegistryErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

const STATUS: Record<RegistryErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};

/** One bad field of a request. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export class RegistryError extends Error {
  readonly status: number;

  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    readonly field?: string,
    /** Every bad field of the request, when there are any: the first also gives `field`. */
    readonly problems?: readonly FieldProblem[],
  ) {
    super(message);
    this.name = 'RegistryError';
    this.status = STATUS[kind];
  }
}

export const invalid = (field: string, message: string) =>
  new RegistryError('invalid', `${field}: ${message}`, field);
/** A request with bad fields: all of them at once, so the caller fixes them in one go. */
export function invalidFields(problems: readonly FieldProblem[]): RegistryError {
  const message = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new RegistryError('invalid', message, problems[0]?.field, problems);
}
export const notFound = (what: string) => new RegistryError('not_found', `${what} was not found`);
export const conflict = (message: string) => new RegistryError('conflict', message);
