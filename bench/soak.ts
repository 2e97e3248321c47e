/**
 * A soak run: the realistic mix at a steady rate for a long time, watching the gateway's memory. First a short
 * probe at full speed measures the maximum rate (unless --rate is given); then the soak runs at 70% of it: a
 * warm-up (1 minute by default), then --duration minutes (10 by default). Requests are signed just ahead of use
 * by a worker thread (MessageIDs must be used within the replay window). Prints the RSS after warm-up, every
 * minute and at the end, throughput, latency percentiles, answers, business rejections and faults by code, and
 * the verdict: RSS at the end within 10% of its level after warm-up, and not one fault or unanswered request.
 * Exits 1 when the verdict fails.
 *
 *   npm run bench:soak -- [--duration 10] [--rate N | --share 0.7] [--warmup 60] [--probe 20] [--connections 16]
 *
 * --duration is in minutes, --warmup and --probe in seconds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  arg,
  drive,
  printStats,
  residentMiB,
  row,
  RunStats,
  SignedPool,
  spawnGateway,
  type ChildGateway,
} from './support.js';

const RSS_TOLERANCE = 0.1;

async function probeMaxRate(url: string, seconds: number): Promise<number> {
  process.stdout.write(`probing the maximum rate for ${seconds} s…\n`);
  const pool = new SignedPool(2);
  // Enough for 250 responses/s, far above what one gateway process does here; signed before the clock starts.
  await pool.fill(seconds * 250);
  await pool.close();
  const stats = new RunStats();
  const transport = await drive(url, pool, { connections: 32, seconds, stats: () => stats });
  stats.ended = performance.now();
  printStats('probe', stats, transport);
  if (pool.shortfall) row('WARNING: the probe outran its pre-signed requests', String(pool.shortfall));
  return stats.responses / stats.seconds;
}

async function main(): Promise<void> {
  const minutes = Number(arg('duration', '10'));
  const warmupSeconds = Number(arg('warmup', '60'));
  const probeSeconds = Number(arg('probe', '20'));
  const share = Number(arg('share', '0.7'));
  const connections = Number(arg('connections', '16'));
  const given = arg('rate', '');

  const gateway: ChildGateway = await spawnGateway();
  const url = gateway.endpoint;
  try {
    const max = given ? undefined : await probeMaxRate(url, probeSeconds);
    const rate = given ? Number(given) : Math.max(1, Math.round((max ?? 0) * share));
    row('maximum rate (probe, responses/s)', max === undefined ? '(not probed)' : max.toFixed(1));
    row(
      'soak rate (requests/s)',
      `${rate}${max === undefined ? ' (given)' : ` (${share * 100}% of the maximum)`}`,
    );

    const pool = new SignedPool(1, 100);
    await pool.fill(rate * 15);
    pool.keepAbove(rate * 15);

    const warm = new RunStats();
    const soak = new RunStats();
    let phase = warm;
    const total = warmupSeconds + minutes * 60;
    process.stdout.write(`soaking: ${warmupSeconds} s warm-up, then ${minutes} min at ${rate}/s…\n`);
    const running = drive(url, pool, { connections, rate, seconds: total, stats: () => phase });

    const series: number[] = [];
    await sleep(warmupSeconds * 1000);
    warm.ended = performance.now();
    phase = soak;
    soak.started = performance.now();
    const rssWarm = await residentMiB(gateway, gateway.base);
    row('gateway RSS after warm-up (MiB)', rssWarm.toFixed(1));
    const ticker = setInterval(() => {
      void residentMiB(gateway, gateway.base).then((rss) => {
        series.push(rss);
        row(`  RSS at ${series.length} min (MiB)`, `${rss.toFixed(1)} (${soak.responses} responses so far)`);
      });
    }, 60_000);
    const transport = await running;
    clearInterval(ticker);
    soak.ended = performance.now();
    const rssEnd = await residentMiB(gateway, gateway.base);
    await pool.close();

    printStats('warm-up', warm, { errors: 0, timeouts: 0 });
    printStats('soak', soak, transport);
    row('  (errors / timeouts are counted over warm-up and soak together)', '');
    const drift = (rssEnd - rssWarm) / rssWarm;
    row(
      'gateway RSS warm / end / min–max (MiB)',
      `${rssWarm.toFixed(1)} / ${rssEnd.toFixed(1)} / ${Math.min(...series, rssEnd).toFixed(1)}–${Math.max(...series, rssEnd).toFixed(1)}`,
    );
    row('RSS change over the soak', `${(drift * 100).toFixed(1)}%`);
    if (pool.shortfall) row('WARNING: signed during the run (pool ran dry)', String(pool.shortfall));

    const faults = warm.faults.total + soak.faults.total;
    const unanswered = transport.errors + transport.timeouts;
    const memoryOk = Math.abs(drift) <= RSS_TOLERANCE;
    const errorsOk = faults === 0 && unanswered === 0;
    row(
      'verdict',
      memoryOk && errorsOk
        ? `PASS: RSS within ${RSS_TOLERANCE * 100}%, no faults, every request answered`
        : `FAIL:${memoryOk ? '' : ` RSS moved ${(drift * 100).toFixed(1)}%;`}${errorsOk ? '' : ` ${faults} faults, ${unanswered} unanswered`}`,
    );
    if (!memoryOk || !errorsOk) process.exitCode = 1;
  } finally {
    await gateway.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
