/**
 * The store goes away under load: the gateway as `npm start` runs it, on a private PostgreSQL cluster, takes the
 * realistic mix from six clients; the cluster is stopped (fast shutdown: every connection dropped) for 10 s and
 * started again. Meanwhile every request must get a SOAP fault, promptly — no hang, no crash; afterwards the
 * gateway must answer again without a restart; and nothing it acknowledged before, during or after may be lost
 * or recorded twice. The message log and audit trail verify at the end.
 */
import { expect } from 'chai';
import { spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import {
  expectLogsVerify,
  expectNothingLost,
  faultCodes,
  Load,
  PrivatePostgres,
  sleep,
  withStore,
} from './support.js';

const OUTAGE_MS = 10_000;
/** The slowest answer allowed at any time: the provider deadline (10 s by default) would be a hang. */
const PROMPT_MS = 5_000;

describe('fault: PostgreSQL stopped for 10 s under load (private cluster, real CLI)', function () {
  this.timeout(180_000);
  let cluster: PrivatePostgres | undefined;
  let gateway: ChildGateway | undefined;

  after(async () => {
    await gateway?.kill();
    cluster?.destroy();
  });

  it('answers with faults meanwhile, recovers by itself, and loses nothing it acknowledged', async () => {
    cluster = await PrivatePostgres.create();
    const env = { DATABASE_URL: cluster.url };
    gateway = await spawnGateway({ env });
    const load = new Load(gateway.endpoint, 6);
    try {
      await load.untilAcknowledged(40, 30_000);

      const stopping = load.now();
      cluster.stop();
      const down = load.now();
      await sleep(OUTAGE_MS);
      expect(gateway.alive(), `the gateway died during the outage:\n${gateway.output()}`).to.equal(true);
      const restarting = load.now();
      cluster.start();
      const up = load.now();
      // Recovery with no help: the same gateway process answers again.
      await load.untilAcknowledged(40, 30_000, up);
      await load.stop();

      const during = load.exchanges.filter((e) => e.sentAt >= down && e.doneAt <= restarting);
      const codes = faultCodes(during);
      expect(during.length, 'requests answered during the outage').to.be.greaterThan(20);
      expect(
        during.filter((e) => e.outcome.kind !== 'fault').map((e) => `${e.item.kind}: ${e.status}`),
        'answered without a fault while the store was down',
      ).to.deep.equal([]);
      expect(
        Object.keys(codes).every((code) => code.startsWith('SMEVFailure/')),
        JSON.stringify(codes),
      ).to.equal(true);
      expect(
        during.every((e) => e.status === 500),
        "store faults are the gateway's (soap:Server, HTTP 500)",
      ).to.equal(true);

      expect(
        load.failures.map((f) => `${f.item.kind}: ${f.error}`),
        'requests with no HTTP answer',
      ).to.deep.equal([]);
      const slow = load.exchanges
        .filter((e) => e.ms > PROMPT_MS)
        .map((e) => `${e.item.kind} ${e.ms.toFixed(0)} ms`);
      expect(slow, 'answers slower than the promptness bound').to.deep.equal([]);
      expect(gateway.alive()).to.equal(true);
      const acknowledged = load.acknowledged();
      process.stdout.write(
        `      ${load.exchanges.length} exchanges: ${acknowledged.length} acknowledged; during the ${OUTAGE_MS / 1000} s outage ` +
          `(stop took ${(down - stopping).toFixed(0)} ms, start ${(up - restarting).toFixed(0)} ms): ${during.length} faults ` +
          `${JSON.stringify(codes)}, slowest ${Math.max(...during.map((e) => e.ms)).toFixed(0)} ms\n`,
      );

      expect(await gateway.stop(), 'SIGTERM exit code').to.equal(0);
      await withStore({ databaseUrl: cluster.url }, (store) => expectNothingLost(store, acknowledged));
      expectLogsVerify(env);
    } finally {
      await load.stop();
    }
  });
});
