/**
 * The gateway at full load: autocannon drives the realistic mix (certificate status lookups most, postings,
 * card status, positive-test entry checks, pings; every request freshly signed by the sample system that sends
 * it) against the gateway as `npm start` runs it (a child process, SQLite, or PostgreSQL when DATABASE_URL is
 * set). The requests are signed before the clock starts, by worker threads. Prints throughput, latency
 * percentiles, answers, business rejections and faults by code, and the gateway's RSS at start and end.
 *
 *   npm run bench:load -- [--connections 32] [--requests 6000] [--warmup 500] [--workers 1] [--url http://host:port/ws]
 *
 * Keep --requests to what the gateway answers within its replay window (5 minutes): the MessageIDs are made
 * before the run, and an old one is refused as stale.
 */
import { arg, drive, printStats, residentMiB, row, RunStats, SignedPool, spawnGateway } from './support.js';

async function main(): Promise<void> {
  const connections = Number(arg('connections', '32'));
  const requests = Number(arg('requests', '6000'));
  const warmup = Number(arg('warmup', '500'));
  const workers = arg('workers', '1');
  const external = arg('url', '');

  const gateway = external ? undefined : await spawnGateway({ WORKERS: workers });
  const url = external || gateway!.endpoint;
  const base = new URL(url).origin;
  try {
    process.stdout.write(`signing ${warmup + requests} requests of the mix in advance…\n`);
    const pool = new SignedPool(2);
    await pool.fill(warmup + requests);
    await pool.close();

    const rssStart = await residentMiB(gateway, base);
    if (warmup > 0) {
      const warm = new RunStats();
      await drive(url, pool, { connections, amount: warmup, stats: () => warm });
    }
    const rssWarm = await residentMiB(gateway, base);
    const stats = new RunStats();
    const transport = await drive(url, pool, { connections, amount: requests, stats: () => stats });
    stats.ended = performance.now();
    const rssEnd = await residentMiB(gateway, base);

    row('connections / gateway workers', `${connections} / ${external ? '?' : workers}`);
    printStats('load', stats, transport);
    row(
      'gateway RSS start / after warm-up / end, MiB',
      `${rssStart.toFixed(0)} / ${rssWarm.toFixed(0)} / ${rssEnd.toFixed(0)}`,
    );
    if (pool.shortfall) row('WARNING: signed during the run (pool ran dry)', String(pool.shortfall));
  } finally {
    await gateway?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
