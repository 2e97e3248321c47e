/**
 * What the message log costs: signed ping round trips per second with the log on and off, in the same run on the
 * same machine. The gateway runs as `npm start` runs it (a child process, SQLite), once per mode and round, the
 * modes alternating (on, off, then off, on, …) so drifting machine load falls on both; each gateway gets a warm-up
 * before it is measured. Every request is a fresh, validly signed Call, signed before anything is measured.
 * Prints each run, the median per mode and the log's cost in percent of throughput (target: at most 15%).
 *
 *   node dist/bench/messagelog.js [--connections 20] [--requests 3000] [--rounds 2] [--warmup 300]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedCall } from '../test/support/gateway.js';
import { arg, median, postCalls, row, spawnGateway } from './support.js';

type Mode = 'on' | 'off';

interface Run {
  readonly mode: Mode;
  readonly round: number;
  readonly perSecond: number;
  readonly ok: number;
  readonly other: number;
  readonly p50: number;
  readonly p99: number;
}

const TARGET_PERCENT = 15;

async function main(): Promise<void> {
  const connections = Number(arg('connections', '20'));
  const requests = Number(arg('requests', '3000'));
  const rounds = Number(arg('rounds', '2'));
  const warmup = Number(arg('warmup', '300'));

  const dir = mkdtempSync(join(tmpdir(), 'smev-gateway-bench-log-'));
  const configs: Record<Mode, string> = { on: join(dir, 'on.json'), off: join(dir, 'off.json') };
  writeFileSync(configs.on, JSON.stringify({ messageLog: { enabled: true } }));
  writeFileSync(configs.off, JSON.stringify({ messageLog: { enabled: false } }));

  const perGateway = requests + warmup;
  const total = perGateway * rounds * 2;
  process.stdout.write(`signing ${total} requests in advance…\n`);
  const bodies = Array.from({ length: total }, () => signedCall().xml);
  let next = 0;

  const fire = (url: string, amount: number) =>
    postCalls(url, amount, connections, () => bodies[next++ % total] as string);

  const runs: Run[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const order: Mode[] = round % 2 ? ['on', 'off'] : ['off', 'on'];
      for (const mode of order) {
        const gateway = await spawnGateway({ SMEV_GATEWAY_CONFIG: configs[mode] });
        try {
          if (warmup > 0) await fire(gateway.endpoint, warmup);
          const { result, seconds } = await fire(gateway.endpoint, requests);
          const run: Run = {
            mode,
            round,
            perSecond: result['2xx'] / seconds,
            ok: result['2xx'],
            other: result.non2xx + result.errors,
            p50: result.latency.p50,
            p99: result.latency.p99,
          };
          runs.push(run);
          row(
            `round ${round}, log ${mode}: round trips/s (2xx / other)`,
            `${run.perSecond.toFixed(0)} (${run.ok} / ${run.other}), p50 ${run.p50} ms, p99 ${run.p99} ms`,
          );
        } finally {
          await gateway.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const on = median(runs.filter((r) => r.mode === 'on').map((r) => r.perSecond));
  const off = median(runs.filter((r) => r.mode === 'off').map((r) => r.perSecond));
  const cost = ((off - on) / off) * 100;
  row('signed round trips/s, log off (median)', off.toFixed(0));
  row('signed round trips/s, log on (median)', on.toFixed(0));
  row(
    'cost of the message log (% of throughput)',
    `${cost.toFixed(1)}% (target ≤ ${TARGET_PERCENT}%: ${cost <= TARGET_PERCENT ? 'met' : 'NOT met'})`,
  );
  if (runs.some((r) => r.other > 0)) row('WARNING: some requests were not answered 200', '');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
