/**
 * Message-log test support: a mixed series of real exchanges (signed pings in both SOAP versions, a replayed
 * MessageID, an unsigned message, garbage) posted one after another so that the n-th exchange is the n-th record,
 * and small helpers to read the log back and to run the CLI.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { buildCallRequest } from '../../src/client/request.js';
import { randomUUID } from 'node:crypto';
import {
  GENESIS_HASH,
  recordHash,
  sha256Hex,
  type MessageRecord,
  type RecordFields,
} from '../../src/messagelog/record.js';
import { bodySealerOf } from '../../src/messagelog/setup.js';
import { openBodies } from '../../src/messagelog/verify.js';
import { SOAP11, SOAP12, type SoapVersion } from '../../src/soap/version.js';
import { PING_PAYLOAD, post, signedCall, type TestGateway } from '../support/gateway.js';
import type { Store } from '../../src/store/store.js';

export const PING_NS = 'urn://smev-gateway/services/ping/1.0';
export const PING_TYPE = `{${PING_NS}}PingRequest`;

export type ExchangeKind = 'ping' | 'replay' | 'unsigned' | 'badsig' | 'garbage';

export interface SentExchange {
  readonly kind: ExchangeKind;
  readonly posted: string;
  readonly version: SoapVersion;
  readonly messageId: string | undefined;
  readonly status: number;
  readonly body: string;
}

/** SHA-256 of the DER of a sample system's certificate: the thumbprint the log keeps. */
export function sampleThumbprint(system = 'DEMO_CONSUMER'): string {
  const der = new X509Certificate(readFileSync(`certs-sample/${system}.crt.pem`, 'utf8')).raw;
  return createHash('sha256').update(der).digest('hex');
}

export async function send(
  gateway: TestGateway,
  kind: ExchangeKind,
  version: SoapVersion = SOAP11,
  replayOf?: string,
): Promise<SentExchange> {
  let posted: string;
  let messageId: string | undefined;
  if (kind === 'ping') ({ xml: posted, messageId } = signedCall({ version }));
  else if (kind === 'replay') {
    if (!replayOf) throw new Error('a replay needs the request it replays');
    posted = replayOf;
    messageId = /<(?:\w+:)?MessageID>([^<]+)</.exec(replayOf)?.[1];
  } else if (kind === 'unsigned')
    ({ xml: posted, messageId } = buildCallRequest({ version, payload: PING_PAYLOAD }));
  else if (kind === 'badsig') {
    // Signed, then its payload changed: the signature no longer holds.
    ({ xml: posted, messageId } = signedCall({ version }));
    posted = posted.replace('<ping:Text>hello</ping:Text>', '<ping:Text>pwned</ping:Text>');
  } else posted = 'this is <not> XML at all & never was';
  const response = await post(gateway, posted, version);
  return { kind, posted, version, messageId, status: response.status, body: response.body };
}

/**
 * The standard series, sequential: #1-#3 pings (1.1, 1.2, 1.1), #4 a replay of #1, #5 an unsigned message (its
 * signature element empty), #6 a message whose signature does not hold, #7 garbage, then `extraPings` more pings. Returns what was sent and received, in order.
 */
export async function sendSeries(gateway: TestGateway, extraPings = 4): Promise<SentExchange[]> {
  const sent: SentExchange[] = [];
  sent.push(await send(gateway, 'ping', SOAP11));
  sent.push(await send(gateway, 'ping', SOAP12));
  sent.push(await send(gateway, 'ping', SOAP11));
  sent.push(await send(gateway, 'replay', SOAP11, sent[0]!.posted));
  sent.push(await send(gateway, 'unsigned', SOAP11));
  sent.push(await send(gateway, 'badsig', SOAP11));
  sent.push(await send(gateway, 'garbage', SOAP11));
  for (let i = 0; i < extraPings; i++) sent.push(await send(gateway, 'ping', i % 2 ? SOAP12 : SOAP11));
  for (const exchange of sent) {
    if (exchange.kind === 'ping') expect(exchange.status, exchange.body.slice(0, 300)).to.equal(200);
    else expect(exchange.status, `${exchange.kind}: ${exchange.body.slice(0, 300)}`).to.not.equal(200);
  }
  return sent;
}

/** The stored records, their sealed bodies opened with the gateway's key (what an auditor holding it reads). */
export async function records(gateway: TestGateway): Promise<MessageRecord[]> {
  const rows = await gateway.store.db
    .selectFrom('message_log')
    .selectAll()
    .orderBy('instance_id')
    .orderBy('seq')
    .execute();
  const sealer = bodySealerOf(gateway.config, false);
  return rows.map((r) => ({
    ...openBodies(r, sealer, []),
    seq: Number(r.seq),
    received_at: Number(r.received_at),
    answered_at: Number(r.answered_at),
    duration_us: Number(r.duration_us),
    http_status: Number(r.http_status),
  }));
}

/** Waits until the writer has signed a checkpoint at `seq` (checkpoints are written off the hot path). */
export async function checkpointAt(gateway: TestGateway, seq: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const found = await gateway.store.db
      .selectFrom('message_log_checkpoints')
      .select('seq')
      .where('seq', '=', seq)
      .where('kind', '=', 'head')
      .executeTakeFirst();
    if (found) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no checkpoint at #${seq}`);
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node dist/src/cli/main.js <args>` with the given environment added. */
export function cli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const run = spawnSync(process.execPath, ['dist/src/cli/main.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    timeout: 60_000,
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A record's fields as the gateway writes them for a Call it refused; `overrides` change any of them. */
export function recordFields(overrides: Partial<RecordFields> = {}): RecordFields {
  return {
    request_id: randomUUID(),
    request_bytes: 1,
    operation: 'Call',
    message_id: null,
    answer_message_id: null,
    reference_message_id: null,
    sender: null,
    recipient: null,
    message_type: null,
    received_at: Date.now(),
    answered_at: Date.now(),
    duration_us: 1,
    http_status: 500,
    fault_code: null,
    certificate: null,
    verification: 'none',
    request_digest: sha256Hex(''),
    answer_digest: sha256Hex(''),
    request_xml: null,
    answer_xml: null,
    ...overrides,
  };
}

/** The first record of `instance`'s chain (seq 1, after genesis), hashed as the gateway hashes it. */
export function firstRecord(instance: string, overrides: Partial<RecordFields> = {}): MessageRecord {
  const record = { ...recordFields(overrides), instance_id: instance, seq: 1, prev_hash: GENESIS_HASH };
  return { ...record, hash: recordHash(record) };
}

/**
 * What someone who can write the store does to rewrite a chain unseen: edits record `seq` and recomputes
 * `prev_hash` and `hash` of every record of the chain from genesis on (the checkpoints are theirs to delete).
 */
export async function rewriteChain(
  store: Store,
  instance: string,
  seq: number,
  edit: Partial<MessageRecord>,
): Promise<void> {
  const rows = await store.db
    .selectFrom('message_log')
    .selectAll()
    .where('instance_id', '=', instance)
    .orderBy('seq')
    .execute();
  let previous = GENESIS_HASH;
  for (const row of rows) {
    const changed = { ...row, ...(Number(row.seq) === seq ? edit : {}), prev_hash: previous };
    previous = recordHash(changed);
    await store.db
      .updateTable('message_log')
      .set({ ...changed, hash: previous })
      .where('instance_id', '=', instance)
      .where('seq', '=', row.seq)
      .execute();
  }
}
