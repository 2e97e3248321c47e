/**
 * How a one-time code reaches the visitor's phone. The gateway does not speak SMS itself: the log notifier is for
 * trying the gateway (it writes the code to the log, so never use it with real people), the HTTP notifier posts
 * `{"phone": "+7…", "text": "…"}` as JSON to an SMS gateway and fails on a non-2xx answer or after its timeout.
 */
import type { Logger } from '../../logging/logger.js';
import type { LabResultsSettings } from './settings.js';

export interface Notifier {
  send(phone: string, text: string): Promise<void>;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 5_000;

export class LogNotifier implements Notifier {
  constructor(private readonly log: Logger) {}

  async send(phone: string, text: string): Promise<void> {
    this.log.info('SMS (log notifier, for trying the gateway only)', { phone, text });
  }
}

export class HttpNotifier implements Notifier {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = DEFAULT_HTTP_TIMEOUT_MS,
  ) {}

  async send(phone: string, text: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone, text }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new Error(`the SMS gateway did not answer within ${this.timeoutMs} ms`, { cause: error });
      }
      throw new Error(`the SMS gateway is unreachable: ${(error as Error).message}`, { cause: error });
    }
    // Drain the body so the connection can be reused; its content is not needed.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`the SMS gateway answered HTTP ${response.status}`);
  }
}

/** The notifier a service's settings choose (`notifier`: log or http); the documents service uses it too. */
export function notifierFrom(settings: Pick<LabResultsSettings, 'notifier'>, log: Logger): Notifier {
  const config = settings.notifier ?? { kind: 'log' as const };
  if (config.kind === 'http') return new HttpNotifier(config.url, config.timeoutMs);
  // The default, so a trial works at once; whoever reads the log could then pass a check by code.
  log.warn(
    'one-time codes are written to the log (notifier kind log): configure an SMS gateway (notifier kind http) before serving people',
  );
  return new LogNotifier(log);
}
