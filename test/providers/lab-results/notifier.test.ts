import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { HttpNotifier, LogNotifier, notifierFrom } from '../../../src/providers/lab-results/notifier.js';
import { parseLabResultsSettings } from '../../../src/providers/lab-results/settings.js';
import { createLogger, type Logger } from '../../../src/logging/logger.js';

async function server(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void>; server: Server }> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => handler(req, body, res));
  });
  s.listen(0, '127.0.0.1');
  await new Promise((resolve) => s.once('listening', resolve));
  return {
    server: s,
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/sms`,
    close: () =>
      new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  };
}

describe('lab-results service notifiers', () => {
  it('posts the phone and text as JSON', async () => {
    const received: Array<{ method?: string; type?: string; body: unknown }> = [];
    const s = await server((req, body, res) => {
      received.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
      res.writeHead(202).end();
    });
    try {
      await new HttpNotifier(s.url).send('+79001234567', 'Код для входа: 123456.');
      expect(received).to.deep.equal([
        {
          method: 'POST',
          type: 'application/json',
          body: { phone: '+79001234567', text: 'Код для входа: 123456.' },
        },
      ]);
    } finally {
      await s.close();
    }
  });

  it('fails on a non-2xx answer and on an unreachable gateway', async () => {
    const s = await server((_req, _body, res) => res.writeHead(503).end('busy'));
    try {
      let error: unknown;
      await new HttpNotifier(s.url).send('+79001234567', 'x').catch((e: unknown) => (error = e));
      expect(String(error)).to.contain('HTTP 503');
    } finally {
      await s.close();
    }
    let error: unknown;
    await new HttpNotifier(s.url).send('+79001234567', 'x').catch((e: unknown) => (error = e));
    expect(String(error)).to.contain('unreachable');
  });

  it('gives up after its timeout', async () => {
    const s = await server(() => undefined); // never answers
    try {
      const started = Date.now();
      let error: unknown;
      await new HttpNotifier(s.url, 200).send('+79001234567', 'x').catch((e: unknown) => (error = e));
      expect(String(error)).to.contain('did not answer within 200 ms');
      expect(Date.now() - started).to.be.lessThan(2_000);
    } finally {
      await s.close();
    }
  });

  it('warns at start that the log notifier writes the codes to the log, and only then', () => {
    const warned: string[] = [];
    const log = createLogger('error', { silent: true });
    log.warn = ((message: string) => (warned.push(message), log)) as Logger['warn'];
    notifierFrom(parseLabResultsSettings({}), log);
    expect(warned).to.have.length(1);
    expect(warned[0]).to.contain('one-time codes are written to the log');
    notifierFrom(
      parseLabResultsSettings({ notifier: { kind: 'http', url: 'https://sms.example/send' } }),
      log,
    );
    expect(warned).to.have.length(1);
  });

  it('is chosen by the settings: log by default, http with its URL', () => {
    const log = createLogger('error', { silent: true });
    expect(notifierFrom(parseLabResultsSettings({}), log)).to.be.instanceOf(LogNotifier);
    expect(notifierFrom(parseLabResultsSettings({ notifier: { kind: 'log' } }), log)).to.be.instanceOf(
      LogNotifier,
    );
    expect(
      notifierFrom(
        parseLabResultsSettings({
          notifier: { kind: 'http', url: 'https://sms.example/send', timeoutMs: 1000 },
        }),
        log,
      ),
    ).to.be.instanceOf(HttpNotifier);
    expect(() => parseLabResultsSettings({ notifier: { kind: 'http' } })).to.throw(
      /services\.lab-results\.notifier/,
    );
    expect(() =>
      parseLabResultsSettings({ notifier: { kind: 'http', url: 'https://sms.example', timeoutMs: -1 } }),
    ).to.throw(/timeoutMs/);
    expect(() => parseLabResultsSettings({ unknown: true })).to.throw(/invalid settings/);
  });

  it('the log notifier writes the text (with the code) to the log, for trying the gateway', async () => {
    const lines: unknown[] = [];
    const log = {
      info: (message: string, meta: unknown) => void lines.push({ message, meta }),
    } as unknown as Logger;
    await new LogNotifier(log).send('+79001234567', 'Код для входа: 123456.');
    expect(lines).to.deep.equal([
      {
        message: 'SMS (log notifier, for trying the gateway only)',
        meta: { phone: '+79001234567', text: 'Код для входа: 123456.' },
      },
    ]);
  });
});
