/**
 * `smev-gateway serve`: start the gateway and stop it cleanly on SIGTERM/SIGINT. With `workers` above one, a
 * primary process prepares the store once and forks that many gateway processes sharing the port (node
 * cluster), replacing any that dies once it has listened; one that cannot start stops the gateway. SIGTERM is
 * passed on and each drains its own exchanges.
 */
import cluster from 'node:cluster';
import { loadConfig, type GatewayConfig } from '../config/config.js';
import { prepareStore, startGateway } from '../gateway.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { nearingEnd, NEARING_END_DAYS } from '../signature/pki/nearing-end.js';
import { pkiFiles } from '../signature/setup.js';

export async function serve(options: { config?: string }): Promise<void> {
  const config = loadConfig({ file: options.config });
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config);
  const gateway = await startGateway(config);
  if (cluster.isPrimary) warnOfPkiNearingEnd(config, gateway.log);
  const shutdown = (signal: string) => {
    gateway.log.info('signal received', { signal });
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        gateway.log.error('shutdown failed', { error: (error as Error).message });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

async function runPrimary(config: GatewayConfig): Promise<void> {
  const log = createLogger(config.logLevel);
  await prepareStore(config, log);
  warnOfPkiNearingEnd(config, log);
  let stopping = false;
  let failed = false;
  const listening = new Set<number>();
  cluster.setupPrimary({
    execArgv: [...process.execArgv, ...workerHeapFlags(process.execArgv, process.env.NODE_OPTIONS)],
  });
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on('listening', (worker) => listening.add(worker.id));
  const stopWorkers = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping && !listening.has(worker.id)) {
      // A worker that died before it listened would die again (the port is taken, a file cannot be read): the
      // gateway stops with the worker's own message above, rather than starting workers in a loop.
      failed = true;
      log.error('a gateway worker could not start; stopping', { pid: worker.process.pid, code, signal });
      stopWorkers();
    }
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0);
      return;
    }
    listening.delete(worker.id);
    log.error('gateway worker died; starting another', { pid: worker.process.pid, code, signal });
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    log.info('signal received; stopping workers', { signal });
    stopWorkers();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/**
 * A young generation of 64 MB semi-spaces for the workers (V8's default is 16 MB): an exchange allocates a few
 * hundred kilobytes of short-lived trees and strings, and with the larger nursery far fewer of them survive into
 * the old generation. `npm run bench:ping` measured 2.21 ms of CPU per signed Call without it and 2.07 ms with it.
 * A size the operator gives (in NODE_OPTIONS or on node's command line) is kept.
 */
export function workerHeapFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, nodeOptions ?? ''].some((flag) => /--max[-_]semi[-_]space[-_]size/.test(flag));
  return given ? [] : ['--max-semi-space-size=64'];
}

/** Once per start, in the process that owns the log: what of the gateway's PKI must be renewed soon. */
function warnOfPkiNearingEnd(config: GatewayConfig, log: Logger): void {
  const now = new Date();
  for (const item of nearingEnd(pkiFiles(config), now)) {
    const ended = item.endsAt.getTime() <= now.getTime();
    log.warn(
      `${item.kind} ${ended ? 'has ended' : `ends within ${NEARING_END_DAYS} days`}: renew it ` +
        '(the sample PKI: npm run certs:sample)',
      {
        file: item.file,
        ...(item.subject ? { subject: item.subject } : {}),
        [item.kind === 'CRL' ? 'nextUpdate' : 'notAfter']: item.endsAt.toISOString(),
      },
    );
  }
}
