/** Helpers for the cards service tests: payloads, signed calls through the real endpoint, reading answers. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCallAnswer, type CallAnswer } from '../../../src/client/answer.js';
import { buildCallRequest, signCallRequest } from '../../../src/client/request.js';
import type { Logger } from '../../../src/logging/logger.js';
import { loadTrustStore } from '../../../src/signature/setup.js';
import { SOAP11 } from '../../../src/soap/version.js';
import { post, sampleKey, type TestGateway } from '../../support/gateway.js';

export const NS = 'urn://smev-gateway/services/cards/1.0';

/** Valid Mir cards (Luhn) and SNILS numbers (control number) that no sample uses. */
export const PAN = '2204300000001234';
export const PAN2 = '2201990000000005';
export const SNILS = '11122233372';
export const SNILS_FORMATTED = '111-222-333 72';
export const OTHER_SNILS = '20030040048';

export interface HolderInput {
  snils?: string;
  surname?: string;
  firstName?: string;
  patronymic?: string | null;
}

export function registration(
  pan: string,
  holder: HolderInput = {},
  connectionPoint = 'BANK_AMUR_01',
): string {
  const patronymic = holder.patronymic === undefined ? 'Иванович' : holder.patronymic;
  return (
    `<c:CardRegistrationRequest xmlns:c="${NS}"><c:Pan>${pan}</c:Pan><c:Holder>` +
    `<c:Snils>${holder.snils ?? SNILS}</c:Snils><c:Surname>${holder.surname ?? 'Смирнов'}</c:Surname>` +
    `<c:FirstName>${holder.firstName ?? 'Всеволод'}</c:FirstName>` +
    (patronymic ? `<c:Patronymic>${patronymic}</c:Patronymic>` : '') +
    `</c:Holder><c:ConnectionPoint>${connectionPoint}</c:ConnectionPoint></c:CardRegistrationRequest>`
  );
}

/** The connection point `registration` names by default, as the reference book writes it. */
export const BANK_POINT = 'bank-amur-01';

/** Enters the bank's connection point (an organisation with an agreement) in the connection-points book. */
export async function authoriseBankPoint(gateway: TestGateway): Promise<void> {
  await gateway.registry.books.setEntry({ name: 'test', role: 'operator' }, 'connection-points', BANK_POINT, {
    title: 'ПАО «Амурский банк» (по соглашению)',
  });
}

export type CardRef = { id: string } | { pan: string };

function ref(card: CardRef): string {
  return 'id' in card ? `<c:SocialCardId>${card.id}</c:SocialCardId>` : `<c:Pan>${card.pan}</c:Pan>`;
}

export function statusRequest(card: CardRef): string {
  return `<c:CardStatusRequest xmlns:c="${NS}">${ref(card)}</c:CardStatusRequest>`;
}

export function changeRequest(
  kind: 'Block' | 'Unblock' | 'Deregister',
  card: CardRef,
  reason?: string,
): string {
  return `<c:Card${kind}Request xmlns:c="${NS}">${ref(card)}${reason ? `<c:Reason>${reason}</c:Reason>` : ''}</c:Card${kind}Request>`;
}

/** Sends a payload signed as `system` through the real HTTP endpoint and reads the checked answer. */
export async function call(
  gateway: TestGateway,
  payload: string,
  options: { testMessage?: boolean; system?: string } = {},
): Promise<CallAnswer> {
  const request = buildCallRequest({
    version: SOAP11,
    payload,
    ...(options.testMessage ? { testMessage: true } : {}),
  });
  const xml = signCallRequest(request.xml, sampleKey(options.system ?? 'DEMO_CONSUMER'));
  const response = await post(gateway, xml);
  return readCallAnswer(response.body, loadTrustStore(gateway.config));
}

/** The text of the first element with this local name in an answer payload. */
export function field(payload: string | undefined, name: string): string | undefined {
  const match = new RegExp(`<(?:[A-Za-z0-9_]+:)?${name}(?:\\s[^>]*)?>([^<]*)</`).exec(payload ?? '');
  return match?.[1];
}

export interface Answered {
  payload: string;
  id: string;
  status: string;
}

/** The answer payload, failing with the rejection or fault when there is none. */
export function answered(answer: CallAnswer): Answered {
  if (answer.kind !== 'answer' || !answer.payload) {
    throw new Error(`expected an answer, got ${JSON.stringify(answer)}`);
  }
  return {
    payload: answer.payload,
    id: field(answer.payload, 'SocialCardId') ?? '',
    status: field(answer.payload, 'Status') ?? '',
  };
}

/** Validates one business element against xsd/cards-1.0.xsd with xmllint; returns xmllint's complaint or ''. */
export function schemaProblems(payload: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cards-xsd-'));
  try {
    const file = join(dir, 'payload.xml');
    writeFileSync(file, payload);
    execFileSync('xmllint', ['--noout', '--schema', 'xsd/cards-1.0.xsd', file], { stdio: 'pipe' });
    return '';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: Array<{ level: string; message: string }>;
}

/** A logger that keeps its lines, for asserting what the service says. */
export function captureLog(): CapturedLog {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  const fake = {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: () => fake,
  };
  // Only the methods the provider calls exist; the cast stands in for winston's wide Logger type.
  return { logger: fake as unknown as Logger, lines };
}
