/**
 * SIGKILL under load on PostgreSQL, with the audit trail busy too: the gateway as `npm start` runs it, on a
 * private cluster, takes the realistic mix from six clients while an auditor searches the message log for
 * answered MessageIDs (each search an audit entry) and an operator adds and withdraws a route (each change an
 * audit entry). It is killed with `kill -9` mid-run and restarted on the same port, so its message-log chain
 * continues. Afterwards: every acknowledged exchange has exactly one record, every acknowledged posting is
 * stored once, every acknowledged search and registry change has its audit entry, and `log verify` and
 * `audit verify` say intact. (test/messagelog/crash.test.ts does the message-log part on SQLite.)
 */
import { expect } from 'chai';
import { freePort, spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import {
  cli,
  expectLogsVerify,
  expectNothingLost,
  Load,
  PrivatePostgres,
  sleep,
  withStore,
  type Exchange,
} from './support.js';

interface ApiCall {
  readonly what: 'search' | 'route.add' | 'route.withdraw';
  /** The MessageID searched, or the route's id. */
  readonly subject: string;
  readonly status: number;
}

const PROBE_ROUTE = {
  consumer: 'DEMO_CONSUMER',
  namespace: 'urn://smev-gateway/fault-test/1.0',
  localName: 'Probe',
  recipient: 'SMEV_GATEWAY',
  provider: 'builtin:ping',
};

function token(env: Record<string, string>, role: string): string {
  const run = cli(['tokens', 'create', '--name', `fault-${role}`, '--role', role, '--json'], env);
  if (run.status !== 0) throw new Error(`tokens create: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { token: string }).token;
}

/** An auditor and an operator at work beside the load; every call that got an HTTP answer is kept. */
class Staff {
  readonly calls: ApiCall[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(base: string, load: Load, auditor: string, operator: string) {
    const api = (path: string, bearer: string, init: RequestInit = {}) =>
      fetch(`${base}/api/v1${path}`, {
        ...init,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        signal: AbortSignal.timeout(10_000),
      });
    const searched = new Set<string>();
    const auditing = async () => {
      while (this.running) {
        const target = load.acknowledged().find((e) => !searched.has(e.item.messageId));
        if (target) {
          searched.add(target.item.messageId);
          try {
            const response = await api(`/messages?messageId=${target.item.messageId}`, auditor);
            const body = (await response.json()) as { items?: unknown[] };
            if (response.status === 200) expect(body.items, 'the search finds the record').to.have.length(1);
            this.calls.push({ what: 'search', subject: target.item.messageId, status: response.status });
          } catch (error) {
            if ((error as Error).name === 'AssertionError') throw error;
          }
        }
        await sleep(20);
      }
    };
    const operating = async () => {
      while (this.running) {
        try {
          const added = await api('/routes', operator, { method: 'POST', body: JSON.stringify(PROBE_ROUTE) });
          const route = (await added.json()) as { id?: string };
          this.calls.push({ what: 'route.add', subject: route.id ?? '', status: added.status });
          if (added.status === 201 && route.id) {
            const withdrawn = await api(`/routes/${route.id}`, operator, { method: 'DELETE' });
            await withdrawn.text();
            this.calls.push({ what: 'route.withdraw', subject: route.id, status: withdrawn.status });
          }
        } catch {
          // the gateway is gone
        }
        await sleep(50);
      }
    };
    this.loops = [auditing(), operating()];
  }

  acknowledged(what: ApiCall['what']): ApiCall[] {
    return this.calls.filter((c) => c.what === what && c.status >= 200 && c.status < 300);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

describe('fault: SIGKILL under load on PostgreSQL, audit trail included (private cluster, real CLI)', function () {
  this.timeout(180_000);
  let cluster: PrivatePostgres | undefined;
  let gateway: ChildGateway | undefined;

  after(async () => {
    await gateway?.kill();
    cluster?.destroy();
  });

  it('every acknowledged exchange and audited action survives, and both chains verify after restart', async () => {
    cluster = await PrivatePostgres.create();
    const env = { DATABASE_URL: cluster.url };
    const port = await freePort();
    // The gateway makes its store; the CLI then works on it (it never creates one).
    gateway = await spawnGateway({ env, port });
    const [auditor, operator] = [token(env, 'auditor'), token(env, 'operator')];

    const load = new Load(gateway.endpoint, 6);
    const staff = new Staff(gateway.base, load, auditor, operator);
    let killedAt = 0;
    try {
      await load.untilAcknowledged(60, 60_000);
      while (staff.acknowledged('search').length < 10 || staff.acknowledged('route.withdraw').length < 3) {
        await sleep(50);
      }
      await sleep(500);
      killedAt = load.now();
      await gateway.kill();
      expect(gateway.process.signalCode).to.equal('SIGKILL');
      await sleep(300);
    } finally {
      await Promise.all([load.stop(), staff.stop()]);
    }
    const inFlight = load.failures.filter((f) => f.sentAt <= killedAt).length;
    const before = { exchanges: load.acknowledged(), staff: staff.calls.length };

    // Restart on the same store and port: the same message-log chain continues.
    gateway = await spawnGateway({ env, port });
    const after = new Load(gateway.endpoint, 2);
    const afterStaff = new Staff(gateway.base, after, auditor, operator);
    try {
      await after.untilAcknowledged(10, 30_000);
      while (afterStaff.acknowledged('search').length < 2) await sleep(50);
    } finally {
      await Promise.all([after.stop(), afterStaff.stop()]);
    }
    expect(await gateway.stop(), 'SIGTERM exit code').to.equal(0);

    const acknowledged: Exchange[] = [...before.exchanges, ...after.acknowledged()];
    const searches = [...staff.acknowledged('search'), ...afterStaff.acknowledged('search')];
    const added = [...staff.acknowledged('route.add'), ...afterStaff.acknowledged('route.add')];
    const withdrawn = [...staff.acknowledged('route.withdraw'), ...afterStaff.acknowledged('route.withdraw')];
    process.stdout.write(
      `      before the kill: ${before.exchanges.length} exchanges acknowledged, ${inFlight} in flight at the kill; ` +
        `audited actions acknowledged: ${searches.length} searches, ${added.length} route adds, ${withdrawn.length} withdrawals\n`,
    );
    expect(inFlight, 'requests in flight at the kill').to.be.greaterThan(0);

    await withStore({ databaseUrl: cluster.url }, async (store) => {
      await expectNothingLost(store, acknowledged);
      const instances = await store.db.selectFrom('message_log').select('instance_id').distinct().execute();
      expect(instances, 'one message-log chain across the restart').to.have.length(1);

      const entries = await store.db
        .selectFrom('audit_entries')
        .select(['action', 'subject_id', 'after_json'])
        .where('action', 'in', ['messagelog.search', 'route.add', 'route.withdraw'])
        .execute();
      const searchedIds = new Set(
        entries
          .filter((e) => e.action === 'messagelog.search')
          .map(
            (e) => (JSON.parse(e.after_json ?? '{}') as { query?: { messageId?: string } }).query?.messageId,
          ),
      );
      const addedIds = new Set(
        entries
          .filter((e) => e.action === 'route.add')
          .map((e) => (JSON.parse(e.after_json ?? '{}') as { id?: string }).id),
      );
      const withdrawnIds = new Set(
        entries.filter((e) => e.action === 'route.withdraw').map((e) => e.subject_id),
      );
      expect(
        searches.filter((s) => !searchedIds.has(s.subject)),
        'searches without an audit entry',
      ).to.deep.equal([]);
      expect(
        added.filter((s) => !addedIds.has(s.subject)),
        'route adds without an audit entry',
      ).to.deep.equal([]);
      expect(
        withdrawn.filter((s) => !withdrawnIds.has(s.subject)),
        'withdrawals without an audit entry',
      ).to.deep.equal([]);
    });
    expectLogsVerify(env);
  });
});
