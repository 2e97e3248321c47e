/** Registry failures, each with the HTTP status the admin API answers with and, for bad input, the field. */
export type RegistryErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

const STATUS: Record<RegistryErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};

export class RegistryError extends Error {
  readonly status: number;

  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'RegistryError';
    this.status = STATUS[kind];
  }
}

export const invalid = (field: string, message: string) =>
  new RegistryError('invalid', `${field}: ${message}`, field);
export const notFound = (what: string) => new RegistryError('not_found', `${what} was not found`);
export const conflict = (message: string) => new RegistryError('conflict', message);
