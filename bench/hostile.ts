/**
 * How long the gateway takes to refuse hostile bodies, and how long a valid signed ping sent beside each waits:
 * the figures the hardening tests leave out (they only check that each is refused, with its own code, and that
 * the ping is answered). One gateway process as `npm start` runs a worker, its per-address limit off.
 *
 *   node dist/bench/hostile.js [--rounds 3]
 */
import { gzipSync } from 'node:zlib';
import { NS } from '../src/soap/namespaces.js';
import { postSoapRaw, readFault, withHeaderBlocks } from '../test/foundation/helpers.js';
import { hugeAttributes, hugeDeep, hugeFlat, hugeLaughs } from '../test/foundation/hostile-bodies.js';
import { signedCall } from '../test/support/gateway.js';
import { arg, median, row, spawnGateway } from './support.js';

interface Case {
  readonly what: string;
  readonly body: () => string;
  readonly gzip?: boolean;
}

const CASES: readonly Case[] = [
  { what: '100,000-deep nesting (4.9 MB)', body: hugeDeep },
  { what: '200,000 attributes on one element', body: hugeAttributes },
  { what: 'billion laughs behind a 4.9 MB comment', body: hugeLaughs },
  { what: 'a million tiny sibling elements', body: () => hugeFlat('<x:e/>') },
  {
    what: '30,000 invalid blocks in a signed lax Header',
    body: () =>
      withHeaderBlocks(
        signedCall().xml,
        `<b:Timestamp xmlns:b="${NS.basic}">not a time</b:Timestamp>`.repeat(30_000),
      ),
  },
  {
    what: '99,000 empty elements in a Header, signature forged',
    body: () =>
      withHeaderBlocks(
        signedCall().xml.replace(/<ds:SignatureValue>[^<]*/, '<ds:SignatureValue>AAAA'),
        `<x:E xmlns:x="urn://example.test/x">${'<x:e/>'.repeat(99_000)}</x:E>`,
      ),
  },
  {
    what: 'the same, gzipped (refused past 50 times its size)',
    body: () =>
      withHeaderBlocks(
        signedCall().xml,
        `<x:E xmlns:x="urn://example.test/x">${'<x:e/>'.repeat(99_000)}</x:E>`,
      ),
    gzip: true,
  },
];

async function main(): Promise<void> {
  const rounds = Number(arg('rounds', '3'));
  const child = await spawnGateway({
    WORKERS: '1',
    RATE_LIMIT_SOAP: '0',
    RATE_LIMIT_SOAP_REFUSED_BYTES: '0',
  });
  try {
    // Warm up: the first exchanges compile the schema paths and the signature code.
    for (let i = 0; i < 20; i++) await postSoapRaw(child.endpoint, signedCall().xml);
    row('case (median of rounds)', 'refused in ms / ping beside it in ms / bytes / code');
    for (const { what, body, gzip } of CASES) {
      const refused: number[] = [];
      const pinged: number[] = [];
      let code = '';
      let bytes = 0;
      for (let round = 0; round < rounds; round++) {
        const xml = body();
        const sent = gzip ? gzipSync(xml) : xml;
        bytes = Buffer.byteLength(sent);
        const [refusal, ping] = await Promise.all([
          postSoapRaw(child.endpoint, sent, undefined, undefined, gzip ? { 'content-encoding': 'gzip' } : {}),
          postSoapRaw(child.endpoint, signedCall().xml),
        ]);
        if (ping.status !== 200) throw new Error(`the ping beside "${what}" got ${ping.status}`);
        code = refusal.status === 413 ? 'HTTP 413' : readFault(refusal.body).code;
        refused.push(refusal.ms);
        pinged.push(ping.ms);
      }
      row(what, `${median(refused).toFixed(0)} / ${median(pinged).toFixed(0)} / ${bytes} / ${code}`);
    }
  } finally {
    await child.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
