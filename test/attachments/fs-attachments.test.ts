/**
 * File-storage attachments end to end: a system uploads a file to the attachment store, names it in the signed
 * RefAttachmentHeaderList of its message, and the recipient, handed the message with FSAttachmentsList, fetches
 * the file with the credential it was given; the refusals (unknown, another's, altered, oversize, path-like
 * names); and a large upload streamed with bounded memory.
 */
import { expect } from 'chai';
import { connect } from 'node:net';
import { XMLSerializer } from '@xmldom/xmldom';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { createStreebog } from '../../src/signature/gost/streebog.js';
import { AttachmentStore } from '../../src/attachments/store.js';
import { StoreQueue } from '../../src/queue/store-queue.js';
import { readHandedOut, takeXml, type FileReference } from '../../src/client/queued.js';
import { SOAP11 } from '../../src/soap/version.js';
import { NS } from '../../src/soap/namespaces.js';
import { parseDom, type Element } from '../../src/xml/dom.js';
import { SchemaSet } from '../../src/xml/schemas.js';
import { PING_PAYLOAD, sampleKey, type TestGateway, useGateway } from '../support/gateway.js';
import { STORES } from '../support/store.js';
import {
  addQueueRoute,
  ANSWER_PAYLOAD,
  CONSUMER,
  PROVIDER,
  QUESTION,
  QUESTION_PAYLOAD,
  QueueClient,
  expectGatewaySigned,
} from '../queue/support.js';
import { OFFICIAL_XSD } from '../support/official.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const schemas = SchemaSet.compile('xsd/gateway.xsd');
/** The official SMEV 3 1.1 types schema: the handed-out Request, FSAttachmentsList in it, must be valid there too. */
const official = SchemaSet.compile(`${OFFICIAL_XSD}/v1_1/smev-message-exchange-types-1.1.xsd`);
const gost = (bytes: Buffer) => Buffer.from(createStreebog(256).update(bytes).digest()).toString('base64');

interface Uploaded {
  uuid: string;
  hash: string;
  size: number;
  mimeType: string;
  fileName: string;
  owner: string;
}

/** A participant token for the sample system's own participant. */
async function tokenOf(gateway: TestGateway, system: string): Promise<string> {
  const found = (await gateway.registry.listSystems({ name: 'test', role: 'operator' })).find(
    (s) => s.mnemonic === system,
  );
  const { token } = await gateway.registry.createToken(
    { name: 'test', role: 'operator' },
    `${system} uploads`,
    'participant',
    { participantId: found?.participantId ?? '' },
  );
  return token;
}

async function upload(
  gateway: TestGateway,
  token: string,
  system: string,
  body: Buffer,
  query: Record<string, string> = {},
  contentType = 'application/pdf',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const params = new URLSearchParams({ system, ...query });
  const response = await fetch(`${gateway.url}/attachments?${params.toString()}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Take and acknowledge until the queue is empty. */
async function drain(client: QueueClient, operation: 'GetRequest' | 'GetResponse'): Promise<void> {
  for (let m = await client.take(operation); m; m = await client.take(operation))
    await client.ack(m.messageId);
}

const codeOf = (body: string) =>
  /<(?:\w+:)?Code>([^<]+)</.exec(body)?.[1] ?? /faultstring>(\w+):/.exec(body)?.[1];

for (const store of STORES) {
  describe(`File-storage attachments (FSAttachmentsList, ${store})`, function () {
    this.timeout(120_000);
    let consumer: QueueClient;
    let provider: QueueClient;
    let consumerToken: string;
    let providerToken: string;

    const gateway = useGateway({
      store,
      overrides: { 'attachments.maxFileBytes': 64 * 1024 * 1024, 'http.requestTimeoutMs': 120_000 },
    });
    before(async () => {
      await addQueueRoute(gateway);
      consumer = new QueueClient(gateway.endpoint, CONSUMER);
      provider = new QueueClient(gateway.endpoint, PROVIDER);
      consumerToken = await tokenOf(gateway, CONSUMER);
      providerToken = await tokenOf(gateway, PROVIDER);
    });

    it('uploads a file, carries it by reference to the provider and back, each side fetching it by its credential', async () => {
      const content = randomBytes(100_000);
      const stored = await upload(gateway, consumerToken, CONSUMER, content, { name: 'заявление.pdf' });
      expect(stored.status, JSON.stringify(stored.json)).to.equal(201);
      const file = stored.json as unknown as Uploaded;
      expect(file).to.include({
        size: content.length,
        hash: gost(content),
        owner: CONSUMER,
        mimeType: 'application/pdf',
      });
      expect(file.fileName).to.equal('заявление.pdf');

      // The uploader's participant reads its record; another participant sees nothing.
      const own = await fetch(`${gateway.url}/attachments/${file.uuid}/info`, {
        headers: { authorization: `Bearer ${consumerToken}` },
      });
      expect(own.status).to.equal(200);
      const others = await fetch(`${gateway.url}/attachments/${file.uuid}/info`, {
        headers: { authorization: `Bearer ${providerToken}` },
      });
      expect(others.status).to.equal(404);
      expect(
        (
          await fetch(`${gateway.url}/attachments/${file.uuid}`, {
            headers: { authorization: `Bearer ${providerToken}` },
          })
        ).status,
      ).to.equal(404);

      await drain(provider, 'GetRequest');
      const ref: FileReference = { uuid: file.uuid, hash: file.hash, mimeType: 'application/pdf' };
      const sent = await consumer.sendRequest(QUESTION_PAYLOAD, { fileRefs: [ref] });
      expect(sent.status, sent.body).to.equal(200);

      const answer = await provider.post(
        takeXml(SOAP11, sampleKey(PROVIDER), 'GetRequest', QUESTION),
        'urn:GetRequest',
      );
      expect(answer.status, answer.body).to.equal(200);
      expect(schemas.validate(answer.body), 'GetRequestResponse is schema-valid').to.deep.equal([]);
      expectGatewaySigned(gateway, answer.body);
      const handedOut = parseDom(answer.body).getElementsByTagNameNS(NS.types, 'Request').item(0) as Element;
      expect(official.validate(new XMLSerializer().serializeToString(handedOut))).to.deep.equal([]);
      const taken = readHandedOut(answer.body);
      expect(taken?.messageId).to.equal(sent.messageId);
      expect(taken?.fsAttachments).to.have.length(1);
      const where = taken?.fsAttachments[0];
      expect(where?.uuid).to.equal(file.uuid);
      expect(where?.userName).to.equal(PROVIDER);
      expect(where?.fileName).to.equal(`/attachments/${file.uuid}`);

      const fetched = await fetch(`${gateway.url}${where?.fileName}`, {
        headers: { authorization: basic(where?.userName ?? '', where?.password ?? '') },
      });
      expect(fetched.status).to.equal(200);
      expect(fetched.headers.get('x-attachment-hash')).to.equal(file.hash);
      expect(fetched.headers.get('content-type')).to.equal('application/pdf');
      const bytes = Buffer.from(await fetched.arrayBuffer());
      expect(gost(bytes)).to.equal(ref.hash);
      expect(bytes.equals(content)).to.equal(true);

      // The credential is the recipient's, for that file only.
      for (const [user, password, uuid] of [
        [CONSUMER, where?.password, file.uuid],
        [PROVIDER, 'guess', file.uuid],
        [PROVIDER, where?.password, '00000000-0000-4000-8000-000000000000'],
      ] as const) {
        const refused = await fetch(`${gateway.url}/attachments/${uuid}`, {
          headers: { authorization: basic(user, password ?? '') },
        });
        expect(refused.status, `${user} ${uuid}`).to.equal(401);
      }
      expect((await provider.ack(sent.messageId)).status).to.equal(200);

      // The provider answers with a file of its own; the consumer is told where to fetch it.
      const reply = Buffer.from('the answer, as a file');
      const replyFile = (
        await upload(gateway, providerToken, PROVIDER, reply, { name: 'answer.txt' }, 'text/plain')
      ).json as unknown as Uploaded;
      const answered = await provider.sendResponse(taken?.replyTo ?? '', {
        kind: 'answer',
        payload: ANSWER_PAYLOAD,
        fileRefs: [{ uuid: replyFile.uuid, hash: replyFile.hash, mimeType: 'text/plain' }],
      });
      expect(answered.status, answered.body).to.equal(200);
      const response = await consumer.take('GetResponse');
      const back = response?.fsAttachments[0];
      expect(back?.uuid).to.equal(replyFile.uuid);
      expect(back?.userName).to.equal(CONSUMER);
      const got = await fetch(`${gateway.url}${back?.fileName}`, {
        headers: { authorization: basic(back?.userName ?? '', back?.password ?? '') },
      });
      expect(Buffer.from(await got.arrayBuffer()).toString()).to.equal('the answer, as a file');
      await consumer.ack(response?.messageId ?? '');
    });

    it('refuses a message naming an unknown file, another sender’s file or a file whose hash differs', async () => {
      const mine = (await upload(gateway, consumerToken, CONSUMER, Buffer.from('mine')))
        .json as unknown as Uploaded;
      const theirs = (await upload(gateway, providerToken, PROVIDER, Buffer.from('theirs')))
        .json as unknown as Uploaded;
      const cases: [string, FileReference, string][] = [
        [
          'an unknown uuid',
          { uuid: '9b2f7c1e-0000-4000-8000-000000000001', hash: mine.hash, mimeType: 'text/plain' },
          'AttachmentIsNotFound',
        ],
        [
          'a path for a uuid',
          { uuid: '../../gateway.db', hash: mine.hash, mimeType: 'text/plain' },
          'AttachmentIsNotFound',
        ],
        [
          'another sender’s file',
          { uuid: theirs.uuid, hash: theirs.hash, mimeType: 'text/plain' },
          'AttachmentIsNotFound',
        ],
        [
          'a hash that differs',
          { uuid: mine.uuid, hash: gost(Buffer.from('not mine')), mimeType: 'text/plain' },
          'AttachmentHashMismatch',
        ],
      ];
      for (const [what, ref, code] of cases) {
        const refused = await consumer.sendRequest(QUESTION_PAYLOAD, { fileRefs: [ref] });
        expect(refused.status, what).to.equal(500);
        expect(refused.body, what).to.match(/<f:AttachmentContentMiscoordination[ />]/);
        expect(codeOf(refused.body), `${what}: ${refused.body}`).to.equal(code);
      }
      const twice = await consumer.sendRequest(QUESTION_PAYLOAD, {
        fileRefs: [
          { uuid: mine.uuid, hash: mine.hash, mimeType: 'text/plain' },
          { uuid: mine.uuid, hash: mine.hash, mimeType: 'text/plain' },
        ],
      });
      expect(twice.body).to.match(/<f:AttachmentContentMiscoordination[ />]/);
      // A hosted provider takes no files: refused rather than dropped.
      const hosted = await consumer.sendRequest(PING_PAYLOAD, {
        fileRefs: [{ uuid: mine.uuid, hash: mine.hash, mimeType: 'text/plain' }],
      });
      expect(hosted.body).to.contain('<b:Code>AttachmentsNotAccepted</b:Code>');
    });

    it('refuses path-like file names, foreign systems and callers without a token', async () => {
      for (const name of [
        '../../etc/passwd',
        'a/b.txt',
        '..',
        'C:\\x.txt',
        'x\u0000.txt',
        'x\u0085.txt',
        'invoice\u202Efdp.exe',
        'a\u200Bb.txt',
      ]) {
        const refused = await upload(gateway, consumerToken, CONSUMER, Buffer.from('x'), { name });
        expect(refused.status, name).to.equal(400);
        expect(refused.json.code, name).to.equal('InvalidFileName');
      }
      expect((await upload(gateway, consumerToken, PROVIDER, Buffer.from('x'))).status).to.equal(403);
      const anonymous = await fetch(`${gateway.url}/attachments?system=${CONSUMER}`, {
        method: 'POST',
        body: 'x',
      });
      expect(anonymous.status).to.equal(401);
      const traversal = await fetch(`${gateway.url}/attachments/..%2F..%2Fgateway.db`, {
        headers: { authorization: basic(PROVIDER, 'x') },
      });
      expect(traversal.status).to.equal(404);
    });

    // Memory is measured once, on SQLite: the store holds only the file's record either way.
    if (store === 'sqlite')
      it('streams a 50 MB upload and its download with memory well below the file size', async () => {
        const size = 50 * 1024 * 1024;
        // The uploading client runs in a process of its own, so this process's memory is the gateway's alone.
        const digest = createStreebog(256);
        for (let i = 0; i * CHUNK < size; i++) digest.update(chunkOf(i));
        // What the gateway holds is its JavaScript heap and the buffers outside it (`external`, where a file kept
        // in memory would sit), right after a collection of the young generation: what is still reachable, not the
        // chunks that passed through and wait for the collector (which would move with the machine's load). A
        // young-generation collection costs the same however large the suite's heap has grown; a full one would
        // not. The resident size also moves with the allocator and the rest of the suite's process.
        const held = () => {
          collectGarbage({ type: 'minor' });
          const { heapUsed, external } = process.memoryUsage();
          return heapUsed + external;
        };
        const before = held();
        let peak = before;
        const sampler = setInterval(() => (peak = Math.max(peak, held())), 100);
        const answer = await uploadFromChild(
          `${gateway.url}/attachments?system=${CONSUMER}&name=big.bin`,
          consumerToken,
          size,
        ).finally(() => clearInterval(sampler));
        expect(answer.status, answer.body).to.equal(201);
        const file = JSON.parse(answer.body) as Uploaded;
        expect(file.size).to.equal(size);
        expect(file.hash).to.equal(Buffer.from(digest.digest()).toString('base64'));
        const grown = peak - before;
        expect(grown, `heap and buffers held grew by ${grown} bytes`).to.be.below(size / 4);

        // Back again by the uploader, streamed and digested as it comes.
        const download = await fetch(`${gateway.url}/attachments/${file.uuid}`, {
          headers: { authorization: `Bearer ${consumerToken}` },
        });
        expect(download.status).to.equal(200);
        const back = createStreebog(256);
        let received = 0;
        for await (const piece of download.body as unknown as AsyncIterable<Uint8Array>) {
          back.update(piece);
          received += piece.length;
        }
        expect(received).to.equal(size);
        expect(Buffer.from(back.digest()).toString('base64')).to.equal(file.hash);
      });
  });
}

const CHUNK = 64 * 1024;

// A collection on demand, without starting the suite with --expose-gc.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void;

/** Chunk `i` of the large test file: made again from its number, so no side keeps the file. */
function chunkOf(i: number): Buffer {
  const chunk = Buffer.alloc(CHUNK, i % 251);
  chunk.writeUInt32BE(i, 0);
  return chunk;
}

/** POST `size` bytes of chunkOf(0), chunkOf(1), … from a child process; its answer's status and body. */
function uploadFromChild(
  url: string,
  token: string,
  size: number,
): Promise<{ status: number; body: string }> {
  const script = `
    import { request } from 'node:http';
    const [url, token, size] = process.argv.slice(1);
    const CHUNK = ${CHUNK};
    const req = request(url, { method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': 'application/octet-stream' } });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (t) => (body += t));
      res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, body })));
    });
    let i = 0;
    const write = () => {
      while (i * CHUNK < Number(size)) {
        const chunk = Buffer.alloc(CHUNK, i % 251);
        chunk.writeUInt32BE(i, 0);
        i++;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, url, token, String(size)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => (out += text));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out) as { status: number; body: string });
      } catch {
        reject(new Error(`the uploading child exited with ${code}: ${out}`));
      }
    });
  });
}

describe('File-storage attachments: limits', function () {
  this.timeout(60_000);
  let consumer: QueueClient;
  let token: string;

  const gateway = useGateway({
    overrides: { 'attachments.maxFileBytes': 1000, 'attachments.maxMessageBytes': 1500 },
  });
  before(async () => {
    await addQueueRoute(gateway);
    consumer = new QueueClient(gateway.endpoint, CONSUMER);
    token = await tokenOf(gateway, CONSUMER);
  });

  it('refuses an upload over the size limit, declared or streamed, and keeps nothing of it', async () => {
    const declared = await upload(gateway, token, CONSUMER, randomBytes(5000));
    expect(declared.status).to.equal(413);
    expect(declared.json).to.include({ code: 'AttachmentSizeLimitExceeded', permittedSize: 1000 });
    // Chunked, with no length announced: refused once the 1001st byte arrives.
    const streamed = await fetch(`${gateway.url}/attachments?system=${CONSUMER}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: Readable.toWeb(Readable.from([randomBytes(800), randomBytes(800)])) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).to.equal(413);
    expect(((await streamed.json()) as { code: string }).code).to.equal('AttachmentSizeLimitExceeded');
    const dir = join(dirname(gateway.config.store.sqliteFile), 'attachments');
    expect(readdirSync(dir).filter((name) => name !== '.incoming')).to.deep.equal([]);
    expect(readdirSync(join(dir, '.incoming'))).to.deep.equal([]);
  });

  it('keeps nothing of an upload whose client went away while its token was looked up', async () => {
    const dir = join(dirname(gateway.config.store.sqliteFile), 'attachments', '.incoming');
    const authenticate = gateway.registry.authenticate.bind(gateway.registry);
    // The look-ups take a while (a PostgreSQL round trip, say): the client is gone before they end.
    gateway.registry.authenticate = async (given: string) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return authenticate(given);
    };
    try {
      const { port, hostname } = new URL(gateway.url);
      for (let i = 0; i < 5; i++) {
        const socket = connect(Number(port), hostname);
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write(
          `POST /attachments?system=${CONSUMER}&name=cut-${i} HTTP/1.1\r\nHost: x\r\n` +
            `Authorization: Bearer ${token}\r\nContent-Length: 900\r\n\r\n${'A'.repeat(500)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
        socket.destroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(readdirSync(dir), 'half-written files left open').to.deep.equal([]);
    } finally {
      gateway.registry.authenticate = authenticate;
    }
  });

  it('refuses a message whose stored files pass the total limit with AttachmentSizeLimitExceeded', async () => {
    const files = [];
    for (let i = 0; i < 2; i++) {
      files.push((await upload(gateway, token, CONSUMER, randomBytes(1000))).json as unknown as Uploaded);
    }
    const refused = await consumer.sendRequest(QUESTION_PAYLOAD, {
      fileRefs: files.map((f) => ({ uuid: f.uuid, hash: f.hash, mimeType: 'application/pdf' })),
    });
    expect(refused.body).to.match(/<f:AttachmentSizeLimitExceeded[ />]/);
    expect(refused.body).to.contain('>1500<');
    expect(refused.body).to.contain('>2000<');
  });
});

for (const store of STORES) {
  describe(`File-storage attachments: retention (${store})`, function () {
    this.timeout(60_000);
    let consumer: QueueClient;
    let token: string;

    const gateway = useGateway({ store });
    before(async () => {
      await addQueueRoute(gateway);
      consumer = new QueueClient(gateway.endpoint, CONSUMER);
      token = await tokenOf(gateway, CONSUMER);
    });

    it('removes unused uploads after their time, and named files once the queue has let their message go', async () => {
      const dir = join(dirname(gateway.config.store.sqliteFile), 'attachments');
      const files = await AttachmentStore.open(gateway.store, {
        dir,
        maxFileBytes: 1024,
        maxMessageBytes: 1024,
        unusedTtlMs: 3600_000,
        downloadTtlMs: 3600_000,
      });
      const unused = (await upload(gateway, token, CONSUMER, Buffer.from('unused')))
        .json as unknown as Uploaded;
      const named = (await upload(gateway, token, CONSUMER, Buffer.from('named')))
        .json as unknown as Uploaded;
      const sent = await consumer.sendRequest(QUESTION_PAYLOAD, {
        fileRefs: [{ uuid: named.uuid, hash: named.hash, mimeType: 'text/plain' }],
      });
      expect(sent.status, sent.body).to.equal(200);
      const granted = await files.grant(PROVIDER, sent.messageId, [named.uuid], new Date());
      const stored = () =>
        readdirSync(dir)
          .filter((name) => name !== '.incoming')
          .sort();

      // Within the time: everything stays.
      expect(await files.sweep(new Date())).to.equal(0);
      expect(stored()).to.deep.equal([named.uuid, unused.uuid].sort());

      // Later: the unused upload goes, the named one stays while its message is queued; the credential expired.
      const later = new Date(Date.now() + 2 * 3600_000);
      expect(await files.sweep(later)).to.equal(1);
      expect(stored()).to.deep.equal([named.uuid]);
      expect(await files.redeem(named.uuid, PROVIDER, granted[0]?.password ?? '', later)).to.equal(undefined);

      // The queue lets the message go (expired, then past its retention): the file goes with the next sweep.
      const queue = new StoreQueue(gateway.store, {
        visibilityTimeoutMs: 1000,
        lifetimeMs: 1000,
        maxDepth: 0,
        statusNotices: false,
        retainMs: 1000,
      });
      const end = new Date(Date.now() + 30 * 24 * 3600_000);
      await queue.expire(end);
      await queue.expire(new Date(end.getTime() + 2000));
      expect(await files.sweep(new Date(end.getTime() + 2000))).to.equal(1);
      expect(stored()).to.deep.equal([]);
      expect(await files.infoFor([CONSUMER], named.uuid)).to.equal(undefined);
    });
  });
}
