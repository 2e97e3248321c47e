/** `smev-gateway serve`: start the gateway and stop it cleanly on SIGTERM/SIGINT. */
import { loadConfig } from '../config/config.js';
import { startGateway } from '../gateway.js';

export async function serve(options: { config?: string }): Promise<void> {
  const config = loadConfig({ file: options.config });
  const gateway = await startGateway(config);
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
