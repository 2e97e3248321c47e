/** A local "SMS gateway" for the http notifier, as an operator would configure one: it keeps what it was sent. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SmsSink {
  /** The notifier's `url`. */
  readonly url: string;
  /** Every message received, oldest first. */
  readonly messages: Array<{ phone: string; text: string }>;
  close(): Promise<void>;
}

export async function startSmsSink(): Promise<SmsSink> {
  const messages: Array<{ phone: string; text: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      messages.push(JSON.parse(body) as { phone: string; text: string });
      res.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    messages,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
