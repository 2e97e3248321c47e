/** The ping service's XML: `PingRequest/Text` in, `PingResponse` (Text, ReceivedAt) out. */
import type { Element } from '@xmldom/xmldom';
import { create } from 'xmlbuilder2';
import { xmlText } from '../../xml/text.js';
import type { ServiceCodec } from '../contract.js';

export const PING_NS = 'urn://smev-gateway/services/ping/1.0';

export interface PingRequest {
  readonly text: string;
}

export interface PingAnswer {
  readonly text: string;
  readonly receivedAt: Date;
}

export const pingCodec: ServiceCodec<PingRequest, PingAnswer> = {
  namespace: PING_NS,
  requests: ['PingRequest'],
  decode(payload: Element): PingRequest {
    const text = payload.getElementsByTagNameNS(PING_NS, 'Text')[0]?.textContent;
    if (text == null) throw new Error('PingRequest has no Text');
    return { text };
  },
  encode(answer: PingAnswer): string {
    const root = create().ele(PING_NS, 'PingResponse');
    root.ele(PING_NS, 'Text').txt(xmlText(answer.text));
    root.ele(PING_NS, 'ReceivedAt').txt(xmlText(answer.receivedAt.toISOString()));
    return root.end({ headless: true });
  },
};
