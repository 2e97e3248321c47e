/**
 * What the pipeline is made of and what it gives back, named apart from the pipeline itself so that its
 * operations and the message log's recorder can name them without importing the pipeline that runs them.
 */
import type { ExchangeNotes } from './recorder.js';
import type { XmlLimits } from '../xml/guard.js';
import type { SchemaSet } from '../xml/schemas.js';
import type { Document, Element } from '../xml/dom.js';
import type { ExchangeNamespaces } from '../soap/namespaces.js';
import type { BodyPolicy } from '../messagelog/body-policy.js';
import type { RecordFields } from '../messagelog/record.js';
import type {
  AnswerSigner,
  Delivery,
  FileAttachments,
  MessageQueue,
  RateQuota,
  ReplayGuard,
  Router,
  SignatureSlot,
  SignatureVerifier,
} from '../core/ports.js';

export interface Answer {
  readonly doc: Document;
  /**
   * What the gateway signs: the elements its writer created, each with its container (Call answers: provider and
   * gateway blocks; queued ones: the gateway's only, leaving the caller's own signatures as they are).
   */
  readonly slots: readonly SignatureSlot[];
  /** The `Content` of each inline attachment the writer carried: what an MTOM answer may move into parts. */
  readonly attachments?: readonly Element[];
}

export interface PipelineParts {
  readonly limits: XmlLimits & {
    readonly maxBodyBytes: number;
    readonly providerTimeoutMs: number;
    readonly maxAttachmentBytes?: number;
  };
  /** The 1.1 schema set (gateway.xsd). */
  readonly schemas: SchemaSet;
  /** The schema set of another contract version (its `schemaRoot`); absent: only 1.1 is validated. */
  readonly schemasOf?: (contract: ExchangeNamespaces) => SchemaSet;
  readonly verifier: SignatureVerifier;
  readonly replay: ReplayGuard;
  readonly router: Router;
  readonly delivery: Delivery;
  /** Absent: answers go unsigned (only for tests of the steps before it). */
  readonly signer: AnswerSigner | undefined;
  /** Absent: the message log is turned off. */
  readonly messageLog: ExchangeLog | undefined;
  /** Absent: the queued operations answer SMEVFailure. */
  readonly queue?: MessageQueue | undefined;
  /** The attachment store; absent: messages naming stored files are refused (SMEVFailure). */
  readonly files?: FileAttachments | undefined;
  /** Absent: no rate quota. */
  readonly quota?: RateQuota | undefined;
  /** Whether the contract's WSDL declares a fault element for an operation; absent: every fault is declared. */
  readonly declaresFault?: (contract: ExchangeNamespaces, operation: string, element: string) => boolean;
}

export interface ExchangeLog {
  record(fields: RecordFields): Promise<void>;
  readonly failClosed: boolean;
  readonly bodies: BodyPolicy;
}

export interface ExchangeResult {
  readonly status: number;
  readonly contentType: string;
  /** The answer's XML; for an answer in MTOM, its XOP-decoded text, as signed and logged. */
  readonly body: string;
  /** The answer as sent in MTOM: to an MTOM request, when its answer carries attachments to move. */
  readonly mtom?: { readonly body: Buffer; readonly contentType: string };
  readonly operation: string;
  readonly faultCode: string | undefined;
  readonly notes: ExchangeNotes;
}
