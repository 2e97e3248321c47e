/** MessageID rules of SMEV 3: a lowercase RFC 4122 version-1 UUID, whose embedded time we can read. */
import { v1 } from 'uuid';
import { GatewayFault } from './faults.js';
import { randomSlice } from './random-pool.js';

const UUID_V1 = /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** 100-ns intervals between the Gregorian reform (the UUID epoch) and the Unix epoch. */
const GREGORIAN_OFFSET = 122_192_928_000_000_000n;

/** The UUID's own time in epoch milliseconds. Throws InvalidMessageIdFormat for anything but a v1 UUID. */
export function messageIdTime(messageId: string): number {
  if (!UUID_V1.test(messageId)) {
    throw new GatewayFault(
      'InvalidMessageIdFormat',
      `MessageID "${messageId.slice(0, 64)}" is not a lowercase version-1 UUID`,
    );
  }
  const [low = '', mid = '', high = ''] = messageId.split('-');
  const ticks = (BigInt(`0x${high.slice(1)}`) << 48n) | (BigInt(`0x${mid}`) << 32n) | BigInt(`0x${low}`);
  return Number((ticks - GREGORIAN_OFFSET) / 10_000n);
}

/**
 * A new MessageID: a version-1 UUID of the current time. Its clock sequence and node are random for each one (RFC
 * 4122 4.5 allows a random node), taken from the shared pool: uuid's own draw of 16 bytes per UUID cost more than
 * the rest of making it.
 */
export function newMessageId(): string {
  return v1({ random: randomSlice(16) });
}
