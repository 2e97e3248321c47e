/**
 * Two builds of the gateway measured in pairs, for what one change buys on a machine whose speed drifts by 10–20%
 * from minute to minute (a shared 2-core machine): both run in this one process, each with the test gateway of
 * its own checkout (SQLite, message log on, every check on), and take turns, round after round, answering the same
 * number of fresh signed Calls from one autocannon. Prints each build's CPU per request (this process's user +
 * system time over the round: the gateway and the load generator, which is the same for both) and the median of
 * the per-round ratios. Each checkout needs its own built `dist/` and its own `node_modules`, since a module
 * instance shared between the two would carry one build's changes into the other.
 *
 *   npm run bench:paired -- DIR_BEFORE DIR_AFTER [--rounds 16] [--requests 1500] [--connections 50]
 *   (for instance: git worktree add /tmp/before HEAD~1 && cp -a node_modules /tmp/before/ && (cd /tmp/before
 *    && npx tsc -p tsconfig.json), then npm run bench:paired -- /tmp/before .)
 */
import { resolve } from 'node:path';
import { arg, median, postCalls, row } from './support.js';

/** What this bench uses of a checkout's `dist/test/support/gateway.js`. */
interface GatewaySupport {
  startTestGateway(options: { overrides: Record<string, unknown> }): Promise<{
    readonly endpoint: string;
    stop(): Promise<unknown>;
  }>;
  signedCall(): { readonly xml: string };
}

interface Side {
  readonly dir: string;
  readonly support: GatewaySupport;
  readonly endpoint: string;
  stop(): Promise<unknown>;
  readonly msPerRequest: number[];
}

async function open(dir: string): Promise<Side> {
  // The test gateway reads the sample PKI relative to the working directory.
  process.chdir(dir);
  const support = (await import(`${dir}/dist/test/support/gateway.js`)) as GatewaySupport;
  const gateway = await support.startTestGateway({ overrides: { 'http.rateLimit.soap': 0 } });
  return { dir, support, endpoint: gateway.endpoint, stop: () => gateway.stop(), msPerRequest: [] };
}

/** One round: `amount` fresh signed Calls, signed before the clock starts; CPU ms per request. */
async function round(side: Side, amount: number, connections: number): Promise<number> {
  process.chdir(side.dir);
  const bodies = Array.from({ length: amount }, () => side.support.signedCall().xml);
  let next = 0;
  const before = process.cpuUsage();
  const { result } = await postCalls(side.endpoint, amount, connections, () => bodies[next++] as string);
  const used = process.cpuUsage(before);
  if (result.non2xx || result.errors) {
    throw new Error(`${side.dir}: ${result.non2xx} answers not 200, ${result.errors} errors`);
  }
  return (used.user + used.system) / 1000 / amount;
}

async function main(): Promise<void> {
  const dirs = process.argv
    .slice(2)
    .filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  if (dirs.length !== 2) throw new Error('give two checkouts: DIR_BEFORE DIR_AFTER');
  const rounds = Number(arg('rounds', '16'));
  const amount = Number(arg('requests', '1500'));
  const connections = Number(arg('connections', '50'));
  const here = process.cwd();
  const sides = [await open(resolve(here, dirs[0] as string)), await open(resolve(here, dirs[1] as string))];
  for (const side of sides) await round(side, 600, connections); // warm-up
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always follows the other's garbage.
    for (const side of r % 2 ? [...sides].reverse() : sides) {
      side.msPerRequest.push(await round(side, amount, connections));
    }
  }
  for (const side of sides) await side.stop();
  process.chdir(here);
  const [before, after] = sides as [Side, Side];
  row('rounds / requests a round / connections', `${rounds} / ${amount} / ${connections}`);
  for (const [label, side] of [
    ['before', before],
    ['after', after],
  ] as const) {
    row(`${label}: CPU per request, median (ms)`, `${median(side.msPerRequest).toFixed(3)}  (${side.dir})`);
  }
  const ratios = after.msPerRequest.map((ms, i) => ms / (before.msPerRequest[i] as number));
  row('after / before, median of the rounds', median(ratios).toFixed(3));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
