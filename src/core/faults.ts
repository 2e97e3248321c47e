/**
 * The fault catalogue: every failure a client can cause, and every failure of ours, is one entry here.
 * The entry decides the SOAP fault code (who is at fault), the HTTP status, the detail element from the SMEV
 * faults namespace, and the log level. Codes are stable: clients and dashboards key on them.
 */

export type FaultParty = 'Client' | 'Server';
export type LogLevel = 'info' | 'warn' | 'error';

export interface FaultKind {
  /** Element of the faults namespace carried in `detail` (SMEV 3 names, so SMEV clients understand it). */
  readonly element: string;
  readonly party: FaultParty;
  /**
   * HTTP status for SOAP 1.2, per its HTTP binding (Sender 400, others 500), save the transport-level refusals
   * 413, 415 and 429 that happen before any SOAP processing. SOAP 1.1 faults always travel with 500 (WS-I BP R1126).
   */
  readonly http: number;
  readonly level: LogLevel;
  readonly summary: string;
  /** SOAP's own fault codes that are neither Client nor Server. */
  readonly soapCode?: 'VersionMismatch' | 'MustUnderstand';
}

const client = (element: string, summary: string, http = 400): FaultKind => ({
  element,
  party: 'Client',
  http,
  level: 'warn',
  summary,
});
const server = (element: string, summary: string, http = 500): FaultKind => ({
  element,
  party: 'Server',
  http,
  level: 'error',
  summary,
});

export const FAULTS = {
  // transport and envelope
  UnsupportedMediaType: client('InvalidContent', 'content type is not a SOAP 1.1 or 1.2 media type', 415),
  MessageTooLarge: client('InvalidContent', 'message body exceeds the size limit', 413),
  /** Per client address, before the request is read (`http.rateLimit.soap`); QuoteLimitExceeded for SMEV clients. */
  TooManyRequests: client('QuoteLimitExceeded', 'too many requests from this address; retry later', 429),
  MalformedXml: client('InvalidContent', 'the body is not well-formed XML'),
  DoctypeForbidden: client('InvalidContent', 'document type declarations are not accepted'),
  XmlTooDeep: client('InvalidContent', 'the document nests elements too deeply'),
  TooManyAttributes: client('InvalidContent', 'an element carries too many attributes'),
  TooManyNodes: client('InvalidContent', 'the document holds too many elements, comments and CDATA sections'),
  ForbiddenXmlConstruct: client('InvalidContent', 'processing instructions are not accepted in messages'),
  PoorSOAPEnvelopeFormat: client('InvalidContent', 'the SOAP envelope is malformed'),
  VersionMismatch: {
    ...client('InvalidContent', 'the envelope namespace is not that of the SOAP version asked'),
    http: 500,
    soapCode: 'VersionMismatch',
  },
  MustUnderstand: {
    ...client('InvalidContent', 'a mandatory header is not understood'),
    http: 500,
    soapCode: 'MustUnderstand',
  },
  UnknownOperation: client('UnknownMessageType', 'the body holds no operation this gateway serves'),
  InvalidContent: client('InvalidContent', 'the message does not conform to its schema'),
  BusinessDataTypeIsNotSupported: client(
    'BusinessDataTypeIsNotSupported',
    'no service is known for the business payload',
  ),
  // signatures and identity
  SignatureVerificationFault: client('SignatureVerificationFault', 'the signature could not be verified'),
  SenderIsNotRegistered: client(
    'SenderIsNotRegistered',
    'the signing certificate belongs to no registered system',
  ),
  AccessDenied: client('AccessDenied', 'the sender may not do this'),
  /** An Id the gateway assigns to its own signed blocks, found in a caller's message. */
  ReservedId: client('InvalidContent', 'the message carries an Id reserved for the gateway'),
  // replay protection
  InvalidMessageIdFormat: client('InvalidMessageIdFormat', 'MessageID is not a version-1 UUID'),
  StaleMessageId: client('StaleMessageId', 'MessageID time is outside the accepted window'),
  MessageIsAlreadySent: client('MessageIsAlreadySent', 'a message with this MessageID was already accepted'),
  // routing and delivery
  RecipientIsNotFound: client('RecipientIsNotFound', 'no recipient is routed for this message type'),
  TargetMessageIsNotFound: client('TargetMessageIsNotFound', 'the referenced message is unknown'),
  QuoteLimitExceeded: client('QuoteLimitExceeded', 'the sender exceeded its quota'),
  /** The recipient's queue holds its limit of open requests (`queue.maxDepth`). */
  DestinationOverflow: client('DestinationOverflow', "the recipient's queue is full; send again later"),
  AttachmentSizeLimitExceeded: client(
    'AttachmentSizeLimitExceeded',
    'the attachments exceed the permitted total size',
  ),
  TransactionCodeInvalid: client('TransactionCodeInvalid', 'TransactionCode is malformed'),
  AttachmentContentMiscoordination: client(
    'AttachmentContentMiscoordination',
    'attachment headers and attachment contents do not match',
  ),
  /** A RefAttachmentHeader names no file its sender placed in the attachment store (unknown, or another's). */
  AttachmentIsNotFound: client(
    'AttachmentContentMiscoordination',
    "a file named by RefAttachmentHeader is not in the sender's attachment store",
  ),
  /** A stored file's GOST R 34.11-2012 digest is not the RefAttachmentHeader/Hash its sender signed. */
  AttachmentHashMismatch: client(
    'AttachmentContentMiscoordination',
    'a stored file does not match the Hash of its RefAttachmentHeader',
  ),
  /** Attachments travel through the queue to systems that take their own requests; hosted providers take none. */
  AttachmentsNotAccepted: client('InvalidContent', 'the recipient takes no attachments'),
  EndOfLifeReached: client('EndOfLifeReached', 'the message lifetime has passed'),
  /** An answer sent in another message-exchange version than its request (each is handed out in its own). */
  ContractVersionMismatch: client(
    'IncorrectResponseContentType',
    'the answer is not in the contract version of its request',
  ),
  // ours
  SMEVFailure: server('SMEVFailure', 'the gateway failed to process the message'),
  ProviderFailure: server('SMEVFailure', 'the provider did not answer correctly'),
  ProviderTimeout: server('SMEVFailure', 'the provider did not answer in time'),
  MessageLogFailure: server('SMEVFailure', 'the exchange could not be recorded in the message log'),
} as const satisfies Record<string, FaultKind>;

export type FaultCode = keyof typeof FAULTS;

/** One validation problem as libxml2 reports it, carried in `InvalidContent/ValidationError`. */
export interface ValidationProblem {
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  readonly element?: string;
}

export interface FaultOptions {
  /** Subcode inside the family, e.g. `IncorrectSignatureTarget` for `SignatureVerificationFault`. */
  readonly reason?: string;
  readonly errors?: readonly ValidationProblem[];
  /** Elements the fault's schema type adds after Code and Description, in order (name, text). */
  readonly fields?: ReadonlyArray<readonly [string, string]>;
  readonly cause?: unknown;
  /** The detail element in place of the catalogue's (see `declaredFor`). */
  readonly element?: string;
  /** The header block a MustUnderstand fault is about, named to SOAP 1.2 clients in a NotUnderstood block. */
  readonly notUnderstood?: QualifiedName;
}

export interface QualifiedName {
  readonly namespace: string;
  readonly localName: string;
}

/** A failure with a stable code from the catalogue. Thrown by pipeline steps, rendered by `soap/fault-writer`. */
export class GatewayFault extends Error {
  readonly code: FaultCode;
  readonly kind: FaultKind;
  readonly reason: string | undefined;
  readonly errors: readonly ValidationProblem[];
  readonly fields: ReadonlyArray<readonly [string, string]>;
  readonly notUnderstood: QualifiedName | undefined;

  constructor(code: FaultCode, message?: string, options: FaultOptions = {}) {
    const kind: FaultKind = options.element ? { ...FAULTS[code], element: options.element } : FAULTS[code];
    super(message ?? kind.summary, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayFault';
    this.code = code;
    this.kind = kind;
    this.reason = options.reason;
    this.errors = options.errors ?? [];
    this.fields = options.fields ?? [];
    this.notUnderstood = options.notUnderstood;
  }

  /**
   * This fault as the operation may answer it: a client generated from the WSDL knows only the faults declared for
   * the operation, so a detail element it does not declare becomes InvalidContent (the client's part) or
   * SMEVFailure (ours), both declared on every operation, with the same code, reason and message.
   */
  declaredFor(declares: (element: string) => boolean): GatewayFault {
    if (declares(this.kind.element)) return this;
    const element = this.kind.party === 'Client' ? 'InvalidContent' : 'SMEVFailure';
    const { reason, errors, fields, message, notUnderstood } = this;
    const cause = this.cause;
    return new GatewayFault(this.code, message, {
      ...(reason === undefined ? {} : { reason }),
      errors,
      fields,
      ...(cause === undefined ? {} : { cause }),
      ...(notUnderstood === undefined ? {} : { notUnderstood }),
      element,
    });
  }

  /** `Client.SignatureVerificationFault.IncorrectSignatureTarget`: the family, the code, the reason. */
  get qualifiedCode(): string {
    return [this.kind.party, this.code, this.reason].filter(Boolean).join('.');
  }
}

export function isGatewayFault(value: unknown): value is GatewayFault {
  return value instanceof GatewayFault;
}
