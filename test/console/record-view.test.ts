/**
 * The console's page of one message-log record: bodies that are not the record's own (edited in the store, or
 * copied from another record) are said to be so, and neither their signatures nor the checkpoint vouch for them.
 */
import { expect } from 'chai';
import { translator } from '../../src/console/i18n.js';
import { recordView } from '../../src/console/views/record.js';
import type { getMessage } from '../../src/messagelog/query.js';

type Shown = NonNullable<Awaited<ReturnType<typeof getMessage>>>;

const record = (integrity: Shown['integrity']): Shown => ({
  id: '3@gw',
  operation: 'Call',
  messageId: 'm',
  answerMessageId: null,
  referenceMessageId: null,
  sender: 'DEMO_CONSUMER',
  recipient: 'SMEV_GATEWAY',
  messageType: null,
  receivedAt: new Date(0).toISOString(),
  durationMs: 1,
  httpStatus: 200,
  fault: null,
  verification: 'verified',
  instance: 'gw',
  seq: 3,
  requestId: 'r',
  answeredAt: new Date(0).toISOString(),
  certificate: null,
  requestDigest: 'd',
  answerDigest: 'd',
  requestXml: '<other/>',
  answerXml: '<other/>',
  bodiesKept: true,
  integrity,
  prevHash: 'p',
  hash: 'h',
});

describe('console: one message-log record', () => {
  const ctx = { lang: 'en' as const, t: translator('en'), path: '/console/log/3@gw' };
  const place = { length: 9, coveredBy: { seq: 4, at: 0 } };

  it('an intact record shows its signatures verified', () => {
    const page = recordView(ctx, record({ ok: true, problems: [] }), [], place).toString();
    expect(page).to.contain('Every signature verifies.');
    expect(page).not.to.contain('does not match its hash or digests');
  });

  it('bodies that do not match the digests are named, and no signature or checkpoint is said to vouch for them', () => {
    const problem =
      "the stored request does not match the record's digest: it is not this exchange's request";
    const page = recordView(ctx, record({ ok: false, problems: [problem] }), [], place).toString();
    expect(page).not.to.contain('Every signature verifies.');
    expect(page).to.contain('This record does not match its hash or digests');
    expect(page).to.contain('it is not this exchange&#39;s request');
  });
});
