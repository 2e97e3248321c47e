/**
 * What the fuzz properties share: how many cases to run (`FUZZ_RUNS`) and with which seed (`FUZZ_SEED`), the time
 * limit every case must keep, watching the process for unhandled rejections and uncaught exceptions, and the
 * gateway's error log (an error there means a message reached an internal failure instead of a client fault). The
 * long run (`npm run fuzz`) shows each property's cases on a terminal as they go.
 */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import fc from 'fast-check';
import winston from 'winston';
import { Progress, type ProgressStream } from '../../src/cli/progress.js';
import { GatewayFault } from '../../src/core/faults.js';
import { useGateway, type TestGateway } from '../support/gateway.js';

/** No case may take longer than this: a parser or a verifier that does is a denial of service. */
export const CASE_LIMIT_MS = 1000;

/** Cases per property: `FUZZ_RUNS` when set (the long run), else the property's own bounded number. */
export function fuzzRuns(bounded: number): number {
  const given = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(given) && given > 0 ? given : bounded;
}

/** fast-check parameters: the run count, and `FUZZ_SEED` (and `FUZZ_PATH`) to replay a reported failure. */
export function fuzzParameters<T>(bounded: number): fc.Parameters<T> {
  const seed = Number(process.env.FUZZ_SEED);
  const numRuns = fuzzRuns(bounded);
  // fc.afterEach's plugin sees no value, so it fits a property of any type.
  const progress =
    process.env.FUZZ_RUNS !== undefined ? (caseProgress(numRuns) as unknown as fc.Plugin<T>) : undefined;
  return {
    numRuns,
    ...(progress ? { plugins: [progress] } : {}),
    ...(process.env.FUZZ_SEED !== undefined && Number.isInteger(seed) ? { seed } : {}),
    // With the seed, the `path` fast-check printed replays the failing case at once.
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
  };
}

/**
 * A fast-check plugin that shows the cases of one property on a terminal (`fuzz cases: 1,234/20,000 (6%), 41/s`)
 * and ends its line after the last; silent when the stream is no terminal. Shrinking after a failure runs more
 * cases than planned: they count as the last.
 */
export function caseProgress(total: number, stream?: ProgressStream): fc.Plugin<unknown> {
  const progress = new Progress(stream ? { stream } : {});
  let done = 0;
  return fc.afterEach(() => {
    done++;
    progress.update('fuzz cases', Math.min(done, total), total);
    if (done === total) progress.end();
  });
}

/**
 * A mocha timeout for a property: generous per case (the machine is shared), never shorter than the default.
 * The long run (`npm run fuzz`) turns mocha's timeout off altogether.
 */
export function propertyTimeout(bounded: number, msPerCase: number): number {
  return Math.max(20_000, fuzzRuns(bounded) * msPerCase + 20_000);
}

export type Outcome<T> =
  { readonly kind: 'value'; readonly value: T } | { readonly kind: 'fault'; readonly fault: GatewayFault };

/**
 * Run one case of a part that must either give a value or refuse with a GatewayFault, within the time limit.
 * Any other exception fails the property, and so does a slow case.
 */
export function valueOrFault<T>(what: string, run: () => T): Outcome<T> {
  const started = performance.now();
  let outcome: Outcome<T>;
  try {
    outcome = { kind: 'value', value: run() };
  } catch (error) {
    if (!(error instanceof GatewayFault)) {
      throw new Error(`${what} threw ${describe(error)} instead of a GatewayFault`, { cause: error });
    }
    outcome = { kind: 'fault', fault: error };
  }
  const ms = performance.now() - started;
  if (ms > CASE_LIMIT_MS) throw new Error(`${what} took ${Math.round(ms)} ms (limit ${CASE_LIMIT_MS} ms)`);
  return outcome;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Process-level watch for the duration of a suite: an unhandled rejection or an uncaught exception anywhere in
 * the process (the gateway runs in it) is recorded, and `check()` fails when there was one.
 */
function watchProcess(): { check(): void; stop(): void } {
  const problems: string[] = [];
  const onRejection = (reason: unknown) => problems.push(`unhandled rejection: ${describe(reason)}`);
  const onException = (error: unknown) => problems.push(`uncaught exception: ${describe(error)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    check: () =>
      expect(problems, 'the process saw no unhandled rejection or uncaught exception').to.deep.equal([]),
    stop: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/**
 * The one SMEVFailure the pipeline answers on purpose: an operation of the contract it does not serve yet (the
 * queued SMEV operations). Any other SMEVFailure, and any other error-level log line, is an internal failure.
 */
export const NOT_SERVED_YET = /operation \w+ is not served by this gateway yet/;

/**
 * Capture the gateway's error-level log lines. Every client-caused failure is a GatewayFault logged at warn; an
 * error line means an internal failure (an exception that was not a fault, a failed log write, a signing error).
 * Lines for an operation not served yet are left out.
 */
function captureErrorLog(gateway: TestGateway): { lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString('utf8');
      if (!NOT_SERVED_YET.test(line)) lines.push(line);
      done();
    },
  });
  gateway.log.clear();
  gateway.log.add(new winston.transports.Stream({ stream: sink, level: 'error' }));
  gateway.log.silent = false;
  return { lines };
}

/**
 * The gateway the properties of a describe drive: the process is watched from before it starts, and what it logs
 * at error level is collected in `errors.lines`.
 */
export function useFuzzedGateway(): {
  gateway: TestGateway;
  errors: { lines: string[] };
  watch: { check(): void };
} {
  let watcher: ReturnType<typeof watchProcess> | undefined;
  const errors = { lines: [] as string[] };
  before(() => {
    watcher = watchProcess();
  });
  const gateway = useGateway();
  before(() => {
    errors.lines = captureErrorLog(gateway).lines;
  });
  after(() => watcher?.stop());
  const watch = {
    check: () => {
      if (watcher === undefined)
        throw new Error('the process is not watched outside the tests of the describe');
      watcher.check();
    },
  };
  return { gateway, errors, watch };
}
