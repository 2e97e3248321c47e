/**
 * An archive comes from elsewhere, its bodies too: the offline verifier reads each within the SOAP endpoint's
 * limits, so a body nested past them is a named problem of its record (BROKEN), found in one bounded pass, and a
 * body that does not match its digest is broken already and not parsed at all.
 */
import { expect } from 'chai';
import { verifyArchive } from '../../src/messagelog/archive.js';
import { sha256Hex, type MessageRecord } from '../../src/messagelog/record.js';
import { firstRecord } from './support.js';

const nested = (depth: number) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;

/** A verified Call whose request (or answer) is `xml`, hashed as the gateway hashes it; `digest` as given. */
function record(body: { request?: string; answer?: string; digestOf?: string }): MessageRecord {
  const request = body.request ?? null;
  const answer = body.answer ?? null;
  return firstRecord('gw', {
    sender: 'DEMO_CONSUMER',
    recipient: 'SMEV_GATEWAY',
    http_status: 200,
    verification: 'verified',
    request_digest: sha256Hex(body.digestOf ?? request ?? ''),
    answer_digest: sha256Hex(body.digestOf ?? answer ?? ''),
    request_bytes: null,
    request_xml: request,
    answer_xml: answer,
  });
}

const verify = (...records: MessageRecord[]) =>
  verifyArchive({ format: 'smev-gateway-message-log-archive', version: 1, records, checkpoints: [] });
/** A record's own problems, but for the archive's want of checkpoints. */
const problemsOf = (verdict: ReturnType<typeof verify>) =>
  verdict.perRecord.flatMap((r) => r.problems).filter((p) => !p.includes('unproven'));

describe('hostile bodies in an archive', function () {
  this.timeout(30_000);

  it('a request nested one level past the limit is named as such: BROKEN', () => {
    const verdict = verify(record({ request: nested(65) }));
    expect(verdict.ok).to.equal(false);
    const [problem, ...more] = problemsOf(verdict);
    expect(more).to.deep.equal([]);
    expect(problem).to.match(
      /^the request's signature does not verify: elements nest deeper than 64 levels at line 1, column \d+$/,
    );
  });

  it('an answer nested far past the limit is named as such', () => {
    const [problem] = problemsOf(verify(record({ answer: nested(200) })));
    expect(problem).to.match(/^the answer's signatures do not verify: elements nest deeper than 80 levels/);
  });

  it('a body nested 200,000 deep is refused in one bounded pass', () => {
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const [problem] = problemsOf(verify(record({ request: nested(200_000) })));
    expect(problem).to.match(/nest deeper than 64 levels/);
    expect(Date.now() - started).to.be.below(5_000);
    expect(process.memoryUsage().rss - before).to.be.below(200 * 1024 * 1024);
  });

  it('a body that does not match its digest is broken already: it is not parsed', () => {
    const verdict = verify(record({ request: nested(200_000), digestOf: 'another body' }));
    expect(problemsOf(verdict)).to.deep.equal(['the stored request does not match its digest']);
  });
});
