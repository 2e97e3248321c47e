/**
 * The auditors' view of the message log, `/api/v1/messages`, on SQLite and PostgreSQL: every filter (time range,
 * system, message type, MessageID, fault true/false/code) and paging select exactly the records they should; a
 * record comes whole with both XML documents as they crossed the wire; operators and coordinators get 403; and every
 * read is itself in the audit trail under the auditor's token name.
 */
import { expect } from 'chai';
import { post, signedCall, useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';
import { PING_TYPE, send, type SentExchange } from './support.js';

interface Item {
  id: string;
  messageId: string | null;
  sender: string | null;
  recipient: string | null;
  messageType: string | null;
  receivedAt: string;
  httpStatus: number;
  fault: string | null;
  verification: string;
}
interface Listing {
  page: number;
  pageSize: number;
  total: number;
  items: Item[];
}

const seedActor = { name: 'test', role: 'operator' as const };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const store of STORES) {
  describe(`auditor API over the message log (${store})`, function () {
    this.timeout(120_000);
    const tokens: Record<string, string> = {};
    const early: SentExchange[] = [];
    const late: SentExchange[] = [];
    let portal: { xml: string; messageId: string; body: string };
    let middle: Date;
    let searches = 0;
    const reads: string[] = [];

    const get = (path: string, role: string) =>
      fetch(`${gateway.url}/api/v1${path}`, { headers: { authorization: `Bearer ${tokens[role]}` } });
    const search = async (query: Record<string, string | number> = {}): Promise<Listing> => {
      const qs = new URLSearchParams(
        Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      const response = await get(`/messages${qs ? `?${qs}` : ''}`, 'auditor');
      expect(response.status, await response.clone().text()).to.equal(200);
      searches++;
      return (await response.json()) as Listing;
    };
    const all = () => [...early, ...late];

    const gateway = useGateway({ store });
    before(async () => {
      for (const role of ['operator', 'coordinator', 'auditor'] as const) {
        tokens[role] = (await gateway.registry.createToken(seedActor, `messages ${role}`, role)).token;
      }
      early.push(await send(gateway, 'ping'));
      early.push(await send(gateway, 'ping'));
      early.push(await send(gateway, 'replay', undefined, early[0]!.posted));
      early.push(await send(gateway, 'garbage'));
      await pause(30);
      middle = new Date();
      await pause(30);
      late.push(await send(gateway, 'ping'));
      late.push(await send(gateway, 'badsig'));
      const signed = signedCall({ system: 'PORTAL_26' });
      const response = await post(gateway, signed.xml);
      expect(response.status, response.body.slice(0, 300)).to.equal(200);
      portal = { ...signed, body: response.body };
    });

    it('lists every record, newest first, with its summary', async () => {
      const listing = await search();
      expect(listing).to.include({ page: 1, pageSize: 50, total: all().length + 1 });
      const times = listing.items.map((i) => Date.parse(i.receivedAt));
      expect(times).to.deep.equal([...times].sort((a, b) => b - a));
      expect(listing.items.every((i) => /^\d+@.+$/.test(i.id))).to.equal(true);
      const first = listing.items.find((i) => i.messageId === early[0]!.messageId && i.fault === null)!;
      expect(first).to.include({
        sender: 'DEMO_CONSUMER',
        messageType: PING_TYPE,
        httpStatus: 200,
        verification: 'verified',
      });
    });

    it('filters by time range', async () => {
      const before = await search({ to: middle.toISOString() });
      expect(before.total).to.equal(early.length);
      const after = await search({ from: middle.toISOString() });
      expect(after.total).to.equal(late.length + 1);
      expect(after.items.map((i) => i.messageId)).to.include(portal.messageId);
      const none = await search({ from: middle.toISOString(), to: middle.toISOString() });
      expect(none.total).to.equal(0);
    });

    it('filters by system (sender or recipient)', async () => {
      const byPortal = await search({ system: 'PORTAL_26' });
      expect(byPortal.items.map((i) => i.messageId)).to.deep.equal([portal.messageId]);
      const byConsumer = await search({ system: 'DEMO_CONSUMER' });
      // Every exchange the sender could be verified for: three pings and the replay.
      expect(byConsumer.total).to.equal(4);
      expect(byConsumer.items.every((i) => i.sender === 'DEMO_CONSUMER')).to.equal(true);
      const byRecipient = await search({ system: byPortal.items[0]!.recipient! });
      expect(byRecipient.total).to.equal(4); // the answered pings
      expect((await search({ system: 'NO_SUCH_SYSTEM' })).total).to.equal(0);
    });

    it('filters by message type', async () => {
      const pings = await search({ messageType: PING_TYPE });
      // Every request read far enough to know its type: all but garbage.
      expect(pings.total).to.equal(all().length);
      expect(pings.items.every((i) => i.messageType === PING_TYPE)).to.equal(true);
      expect((await search({ messageType: '{urn:nothing}Else' })).total).to.equal(0);
    });

    it('filters by MessageID: the original and its replay', async () => {
      const listing = await search({ messageId: early[0]!.messageId! });
      expect(listing.total).to.equal(2);
      expect(listing.items.map((i) => i.fault).sort()).to.deep.equal(
        ['Client.MessageIsAlreadySent', null].sort(),
      );
    });

    it('filters by fault: true, false, and a fault code', async () => {
      const faults = await search({ fault: 'true' });
      expect(faults.items.map((i) => i.fault).sort()).to.deep.equal(
        [
          'Client.MalformedXml',
          'Client.MessageIsAlreadySent',
          faults.items.find((i) => i.fault?.startsWith('Client.SignatureVerificationFault'))!.fault,
        ].sort(),
      );
      const ok = await search({ fault: 'false' });
      expect(ok.total).to.equal(4);
      expect(ok.items.every((i) => i.fault === null && i.httpStatus === 200)).to.equal(true);
      const replays = await search({ fault: 'Client.MessageIsAlreadySent' });
      expect(replays.items.map((i) => i.messageId)).to.deep.equal([early[0]!.messageId]);
      // Filters combine.
      expect((await search({ fault: 'true', from: middle.toISOString() })).total).to.equal(1);
    });

    it('pages through the listing', async () => {
      const whole = await search({ pageSize: 500 });
      const pages: Item[] = [];
      for (let page = 1; page <= 4; page++) {
        const listing = await search({ pageSize: 2, page });
        expect(listing).to.include({ page, pageSize: 2, total: whole.total });
        expect(listing.items.length).to.equal(Math.max(0, Math.min(2, whole.total - (page - 1) * 2)));
        pages.push(...listing.items);
      }
      expect(pages.map((i) => i.id)).to.deep.equal(whole.items.map((i) => i.id));
      const bad = await get('/messages?pageSize=501', 'auditor');
      expect(bad.status).to.equal(400);
      expect((await get('/messages?colour=red', 'auditor')).status).to.equal(400);
      expect((await get('/messages?from=yesterday', 'auditor')).status).to.equal(400);
    });

    it('GET /messages/{id} returns the whole record with both XML documents as they crossed the wire', async () => {
      const listing = await search({ pageSize: 500 });
      for (const exchange of [...all(), { ...portal, kind: 'ping' as const, posted: portal.xml }]) {
        const item = listing.items.find(
          (i) =>
            i.messageId === exchange.messageId &&
            (exchange.kind !== 'replay') === (i.fault !== 'Client.MessageIsAlreadySent'),
        );
        if (exchange.kind === 'garbage') continue; // no MessageID to find it by; read below by id
        const response = await get(`/messages/${encodeURIComponent(item!.id)}`, 'auditor');
        expect(response.status).to.equal(200);
        reads.push(item!.id);
        const record = (await response.json()) as Record<string, unknown>;
        expect(record.id).to.equal(item!.id);
        // Sealed at rest, opened for the auditor; what came unauthenticated kept its digest only.
        const verified = exchange.kind === 'ping' || exchange.kind === 'replay';
        expect(record.requestXml, exchange.kind).to.equal(verified ? exchange.posted : null);
        expect(record.answerXml, exchange.kind).to.equal(verified ? exchange.body : null);
        expect(record.bodiesKept).to.equal(verified);
        expect(record.hash).to.match(/^[0-9a-f]{64}$/);
        expect(record.requestDigest).to.match(/^[0-9a-f]{64}$/);
      }
      const garbage = listing.items.find((i) => i.fault === 'Client.MalformedXml')!;
      const response = await get(`/messages/${encodeURIComponent(garbage.id)}`, 'auditor');
      reads.push(garbage.id);
      expect(((await response.json()) as { answerXml: string | null }).answerXml).to.equal(null);
      expect(
        (await get(`/messages/${encodeURIComponent(`99999@${garbage.id.split('@')[1]}`)}`, 'auditor')).status,
      ).to.equal(404);
      expect((await get('/messages/nonsense', 'auditor')).status).to.equal(404);
    });

    it('operators and coordinators get 403, no token 401, and nothing is read', async () => {
      const id = (await search()).items[0]!.id;
      for (const role of ['operator', 'coordinator']) {
        expect((await get('/messages', role)).status, role).to.equal(403);
        expect((await get(`/messages/${encodeURIComponent(id)}`, role)).status, role).to.equal(403);
      }
      expect((await fetch(`${gateway.url}/api/v1/messages`)).status).to.equal(401);
    });

    it('every read is in the audit trail under the auditor token name', async () => {
      const entries = await gateway.store.db
        .selectFrom('audit_entries')
        .selectAll()
        .where('action', 'in', ['messagelog.search', 'messagelog.read'])
        .orderBy('seq')
        .execute();
      expect(
        entries.every(
          (e) => e.actor === 'messages auditor' && e.role === 'auditor' && e.subject_type === 'message',
        ),
      ).to.equal(true);
      const searchEntries = entries.filter((e) => e.action === 'messagelog.search');
      expect(searchEntries).to.have.length(searches);
      expect(entries.filter((e) => e.action === 'messagelog.read').map((e) => e.subject_id)).to.deep.equal(
        reads,
      );
      // A search entry names the query and what it returned.
      const withMessageId = searchEntries.find((e) => e.after_json?.includes(early[0]!.messageId!));
      const after = JSON.parse(withMessageId!.after_json!) as {
        query: { messageId: string };
        returned: string[];
      };
      expect(after.query.messageId).to.equal(early[0]!.messageId);
      expect(after.returned).to.have.length(2);
      // The refused reads left no entry.
      expect(entries.some((e) => e.actor !== 'messages auditor')).to.equal(false);
    });

    it('GET /messages/{id} of a record whose bodies were replaced in the store says they are not its own', async () => {
      const listing = await search({ pageSize: 500 });
      const id = (exchange: SentExchange) =>
        listing.items.find((i) => i.messageId === exchange.messageId && i.fault === null)!.id;
      const [victim, source] = [id(early[0]!), id(late[0]!)];
      const read = async (recordId: string) =>
        (await (await get(`/messages/${encodeURIComponent(recordId)}`, 'auditor')).json()) as {
          requestXml: string;
          answerXml: string;
          integrity: { ok: boolean; problems: string[] };
        };
      expect((await read(victim)).integrity).to.deep.equal({ ok: true, problems: [] });
      const other = await read(source);
      const [seq, instance] = victim.split('@') as [string, string];
      const where = { instance, seq: Number(seq) };
      const saved = await gateway.store.db
        .selectFrom('message_log')
        .select(['request_xml', 'answer_xml'])
        .where('instance_id', '=', where.instance)
        .where('seq', '=', where.seq)
        .executeTakeFirstOrThrow();
      // The other message's bodies, in plain text as a store without sealing holds them.
      await gateway.store.db
        .updateTable('message_log')
        .set({ request_xml: other.requestXml, answer_xml: other.answerXml })
        .where('instance_id', '=', where.instance)
        .where('seq', '=', where.seq)
        .execute();
      try {
        const shown = await read(victim);
        expect(shown.integrity.ok).to.equal(false);
        expect(shown.integrity.problems).to.deep.equal([
          "the stored request does not match the record's digest: it is not this exchange's request",
          "the stored answer does not match the record's digest: it is not this exchange's answer",
        ]);
      } finally {
        await gateway.store.db
          .updateTable('message_log')
          .set(saved)
          .where('instance_id', '=', where.instance)
          .where('seq', '=', where.seq)
          .execute();
      }
    });
  });
}
