/**
 * What a consumer is told about its request (GetStatus), in SMEV 3's StatusCategory values. docs/protocol.md's
 * "Queued exchange" section shows the same mapping.
 */
export type StatusChange =
  'queued' | 'delivered' | 'status' | 'answered' | 'answer delivered' | 'acknowledged' | 'expired';

export interface StatusNotice {
  readonly category: string;
  readonly details: string;
}

const NOTICES: Record<StatusChange, StatusNotice> = {
  queued: { category: 'requestIsQueued', details: 'queued for the recipient' },
  delivered: { category: 'underProcessing', details: 'handed to the provider' },
  status: { category: 'underProcessing', details: 'the provider sent an intermediate status' },
  answered: { category: 'responseIsAcceptedBySmev', details: 'the answer is queued for the consumer' },
  'answer delivered': { category: 'responseIsDelivered', details: 'the answer was handed to the consumer' },
  acknowledged: { category: 'responseIsDelivered', details: 'the consumer acknowledged the answer' },
  expired: { category: 'cancelled', details: 'the message lifetime passed before it was completed' },
};

export function statusNotice(change: StatusChange): StatusNotice {
  return NOTICES[change];
}
