/**
 * What the official SMEV 3 faults schema lets each fault element hold, so that every detail the gateway writes
 * validates against it and a JAXB client reads it: `void` elements (type basic:Void) are empty; the others
 * extend basic:SmevFault (`basic:Code?`, `basic:Description?`) with the elements listed, all required.
 */
export type FaultShape =
  { readonly kind: 'void' } | { readonly kind: 'smevFault'; readonly extra: readonly string[] };

const VOID: FaultShape = { kind: 'void' };
const fault = (...extra: string[]): FaultShape => ({ kind: 'smevFault', extra });

export const FAULT_SHAPES: Readonly<Record<string, FaultShape>> = {
  BusinessDataTypeIsNotSupported: fault('RootElementLocalName', 'RootElementNamespaceURI'),
  InvalidContent: fault('ValidationError'),
  UnknownMessageType: VOID,
  TransactionCodeInvalid: fault(),
  MessageIsAlreadySent: VOID,
  InvalidMessageIdFormat: VOID,
  StaleMessageId: VOID,
  AttachmentContentMiscoordination: VOID,
  AttachmentSizeLimitExceeded: fault('PermittedTotalAttachmentSize', 'RealTotalAttachmentSize'),
  QuoteLimitExceeded: fault('RemainedTotalQuoteSize', 'RealTotalAttachmentSize'),
  AccessDenied: VOID,
  SignatureVerificationFault: fault('SignatureVerificationFault'),
  SMEVFailure: VOID,
  IncorrectResponseContentType: VOID,
  RecipientIsNotFound: VOID,
  SenderIsNotRegistered: VOID,
  RequestIsNotFound: VOID,
  TargetMessageIsNotFound: VOID,
  DestinationOverflow: fault('MessageBrokerAddress', 'DestinationName'),
  EndOfLifeReached: VOID,
};

/** The six verification codes the schema enumerates for `SignatureVerificationFault/SignatureVerificationFault`. */
export const SIGNATURE_FAULT_CODES = [
  'PoorSOAPEnvelopeFormat',
  'NoSignatureFound',
  'IncorrectSignatureTarget',
  'SignatureIsInvalid',
  'CertificateIsNotFound',
  'CertificateIsExpired',
] as const;

/**
 * The official code for one of the gateway's finer verification reasons: a certificate outside its term (not yet
 * valid, revoked) is "expired" to an SMEV client; one the gateway cannot trust or read is "not found".
 */
export function officialSignatureCode(reason: string | undefined): string {
  if ((SIGNATURE_FAULT_CODES as readonly string[]).includes(reason ?? '')) return reason as string;
  switch (reason) {
    case 'CertificateIsNotYetValid':
    case 'CertificateIsRevoked':
      return 'CertificateIsExpired';
    case 'CertificateIsNotTrusted':
    case 'CertificateIsMalformed':
    case 'CrlIsStale':
    case 'CrlIsNotFound':
      return 'CertificateIsNotFound';
    default:
      return 'SignatureIsInvalid';
  }
}

/** Values for required elements a fault was raised without (a quota fault knows no attachment size). */
export const FIELD_DEFAULTS: Readonly<Record<string, string>> = {
  RemainedTotalQuoteSize: '0',
  RealTotalAttachmentSize: '0',
  PermittedTotalAttachmentSize: '0',
  RootElementLocalName: '',
  RootElementNamespaceURI: '',
  MessageBrokerAddress: '',
  DestinationName: '',
};
