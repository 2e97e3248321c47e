/**
 * `smev-gateway queue …`: the queued operations as an information system calls them, signed with its key:
 * send-request and get-response/ack for a consumer, get-request/send-response/ack for a provider, and status.
 * Each prints what the gateway handed out (ids, return address, payload) or the fault.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { writePrivateFile } from '../core/private-file.js';
import {
  ackXml,
  getStatusXml,
  queueStatisticsXml,
  readHandedOut,
  readQueueStatistics,
  sendRequestXml,
  sendResponseXml,
  takeXml,
  type Attachment,
  type ClientVersion,
  type ResponseContent,
} from '../client/queued.js';
import { contractVersion, CONTRACT_VERSIONS } from '../soap/namespaces.js';
import { postSoap } from '../client/send.js';
import { faultText } from '../soap/fault-code.js';
import { SOAP11 } from '../soap/version.js';
import { parseDom, serializeNode } from '../xml/dom.js';
import { systemSigningKey } from './send.js';
import { collect, printLines, printText } from './output.js';
import { printable } from '../core/printable.js';
import { CliError, readPayload, todayInMoscow } from './inputs.js';
import { gatewayEndpoint } from './gateway-url.js';
import { fetchStoredFile, referenceOf, uploadFile } from '../client/stored-files.js';
import type { FileReference } from '../client/queued.js';

interface QueueOptions {
  system: string;
  key?: string;
  cert?: string;
  url?: string;
  config?: string;
  contract: string;
}

/** SOAP 1.1 and the message-exchange version asked for (`--contract`). */
function speaking(options: QueueOptions): ClientVersion {
  const contract = contractVersion(options.contract);
  if (!contract) {
    const known = CONTRACT_VERSIONS.map((c) => c.version).join(', ');
    throw new CliError(`--contract ${options.contract} is not a served version (${known})`);
  }
  return { ...SOAP11, contract };
}

/** `--url` as given; otherwise the configured gateway's path of the version (`/ws`, `/ws/1.2`, …). */
function endpointOf(options: QueueOptions): string {
  if (options.url) return options.url;
  return gatewayEndpoint(options).replace(/\/ws$/, speaking(options).contract?.path ?? '/ws');
}

async function post(options: QueueOptions, xml: string, operation: string): Promise<string> {
  const { status, body } = await postSoap(endpointOf(options), xml, SOAP11, `urn:${operation}`);
  if (status !== 200) {
    const reason = faultReason(body);
    printLines(`fault (HTTP ${status}): ${reason ?? body.slice(0, 300)}`);
    process.exitCode = 1;
  }
  return body;
}

/** The fault's text (SOAP 1.1 faultstring, SOAP 1.2 Reason), read from the parsed answer; none when it is no fault. */
function faultReason(body: string): string | undefined {
  try {
    const fault = parseDom(body).getElementsByTagNameNS('*', 'Fault')[0];
    return (fault && faultText(fault)) || undefined;
  } catch {
    return undefined;
  }
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.pdf': 'application/pdf',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.zip': 'application/zip',
};

/** Each file becomes an attachment named after the file (made a valid xs:ID), typed by its extension. */
function attachmentsOf(files: readonly string[]): Attachment[] {
  const taken = new Set<string>();
  return files.map((file, i) => {
    let contentId = safeName(basename(file));
    if (taken.has(contentId)) contentId = `${contentId}_${i + 1}`;
    taken.add(contentId);
    return {
      contentId,
      mimeType: MEDIA_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      content: readAttachment(file),
    };
  });
}

function readAttachment(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CliError(`cannot read the attachment ${file}: ${(error as Error).message}`);
  }
}

/** A name that is both an xs:ID (a content Id) and a plain file name: other characters become `_`. */
function safeName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

/**
 * Files sent by reference: each is uploaded to the gateway's attachment store with the participant's token
 * (`--token` or SMEV_GATEWAY_TOKEN) and named in the signed RefAttachmentHeaderList.
 */
async function storedFilesOf(
  options: QueueOptions & { attachStored: string[]; token?: string },
): Promise<FileReference[]> {
  if (options.attachStored.length === 0) return [];
  const token = options.token ?? process.env.SMEV_GATEWAY_TOKEN;
  if (!token) throw new CliError('--attach-stored needs a participant token: --token or SMEV_GATEWAY_TOKEN');
  const refs: FileReference[] = [];
  for (const file of options.attachStored) {
    const mimeType = MEDIA_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    try {
      const record = await uploadFile(
        gatewayEndpoint(options),
        token,
        options.system,
        file,
        mimeType,
        basename(file),
      );
      printLines(`stored ${basename(file)} as ${record.uuid} (${record.size} bytes)`);
      refs.push(referenceOf(record));
    } catch (error) {
      throw new CliError(`cannot store ${file}: ${(error as Error).message}`);
    }
  }
  return refs;
}

/** The stored files a handed-out message names, fetched into `saveTo` with their credentials and checked. */
async function fetchStoredFiles(options: QueueOptions, body: string, saveTo: string): Promise<void> {
  const message = readHandedOut(body);
  if (!message || message.fsAttachments.length === 0) return;
  mkdirSync(saveTo, { recursive: true });
  for (const file of message.fsAttachments) {
    const signed = message.fileRefs.find((ref) => ref.uuid === file.uuid);
    const path = join(saveTo, safeName(file.uuid));
    try {
      const fetched = await fetchStoredFile(gatewayEndpoint(options), file, path, signed?.hash);
      printLines(
        `stored file ${file.uuid} (${fetched.fileName ?? 'no name'}, ${fetched.size} bytes, hash checked) saved as ${path}`,
      );
    } catch (error) {
      throw new CliError(`cannot fetch the stored file ${file.uuid}: ${(error as Error).message}`);
    }
  }
}

async function printHandedOut(body: string, saveTo?: string): Promise<void> {
  const message = readHandedOut(body);
  if (!message) return printLines('the queue is empty');
  printLines(
    ...[
      `message ${message.messageId}`,
      message.originalMessageId && `answers ${message.originalMessageId}`,
      message.replyTo && `reply to ${message.replyTo}`,
      message.statusCategory && `status ${message.statusCategory}`,
      message.rejected && `rejected ${message.rejected}`,
      message.statusCode && `intermediate status ${message.statusCode}`,
    ].filter((line): line is string => Boolean(line)),
  );
  if (message.payload) printText(`${serializeNode(message.payload)}\n`);
  if (saveTo && message.attachments.length > 0) {
    mkdirSync(saveTo, { recursive: true });
    for (const file of message.attachments) {
      await writePrivateFile(join(saveTo, safeName(file.contentId)), (draft) =>
        writeFile(draft, file.content),
      );
    }
  }
  printLines(
    ...message.attachments.map(
      (file) =>
        `attachment ${file.contentId} (${file.mimeType}, ${file.content.length} bytes)` +
        (saveTo ? ` saved as ${join(saveTo, safeName(file.contentId))}` : ''),
    ),
    ...message.fsAttachments.map((file) => `stored file ${file.uuid} at ${file.fileName}`),
  );
}

function common(command: Command): Command {
  return command
    .requiredOption('-s, --system <mnemonic>', 'the calling information system')
    .option('-k, --key <file>', 'its private key (default: the sample key of <system>)')
    .option('--cert <file>', 'its certificate (default: the sample certificate of <system>)')
    .option('-u, --url <url>', 'the gateway endpoint (default: from the configuration, as serve reads it)')
    .option(
      '-c, --config <file>',
      'JSON configuration file of the gateway to call (also SMEV_GATEWAY_CONFIG)',
    )
    .option(
      '--contract <version>',
      'message exchange version to speak: 1.1 (at /ws), 1.2 (/ws/1.2) or 1.3 (/ws/1.3)',
      '1.1',
    );
}

export function registerQueueCommands(program: Command): void {
  const queue = program.command('queue').description('the queued exchange: SendRequest … Ack, GetStatus');
  common(
    queue
      .command('send-request <payload>')
      .description('queue a business payload for its recipient')
      .option('--attach <file>', 'send a file with it (repeat for more)', collect, [])
      .option(
        '--attach-stored <file>',
        "send a file by reference: upload it to the gateway's attachment store (repeat for more)",
        collect,
        [],
      )
      .option('--token <token>', 'participant token for --attach-stored (also SMEV_GATEWAY_TOKEN)')
      .option('--today', "dates in the payload (YYYY-MM-DD) become today's")
      .option('--transaction-code <code>', 'the TransactionCode (required from message exchange 1.2)'),
  ).action(
    async (
      payload: string,
      options: QueueOptions & {
        attach: string[];
        attachStored: string[];
        token?: string;
        today?: boolean;
        transactionCode?: string;
      },
    ) => {
      const version = speaking(options);
      if (version.contract?.version !== '1.1' && options.transactionCode === undefined) {
        throw new CliError(`message exchange ${version.contract?.version} requires --transaction-code`);
      }
      const request = sendRequestXml(version, systemSigningKey(options), {
        payload: readPayload(payload, options.today ? todayInMoscow() : undefined),
        attachments: attachmentsOf(options.attach),
        fileRefs: await storedFilesOf(options),
        ...(options.transactionCode === undefined ? {} : { transactionCode: options.transactionCode }),
      });
      await post(options, request.xml, 'SendRequest');
      if (!process.exitCode) printLines(`queued ${request.messageId}`);
    },
  );
  for (const operation of ['GetRequest', 'GetResponse'] as const) {
    common(
      queue
        .command(operation === 'GetRequest' ? 'get-request' : 'get-response')
        .description(`take the oldest ${operation === 'GetRequest' ? 'request' : 'answer'} for the system`)
        .option(
          '--save-attachments <dir>',
          'write the attachments handed out into this folder, stored files fetched too',
        ),
    ).action(async (options: QueueOptions & { saveAttachments?: string }) => {
      const body = await post(
        options,
        takeXml(speaking(options), systemSigningKey(options), operation),
        operation,
      );
      await printHandedOut(body, options.saveAttachments);
      if (options.saveAttachments && !process.exitCode) {
        await fetchStoredFiles(options, body, options.saveAttachments);
      }
    });
  }
  common(
    queue
      .command('send-response <to>')
      .description('answer a request by its return address (the "reply to" of get-request)')
      .option('--payload <file>', 'the answer: one business element')
      .option('--attach <file>', 'send a file with the answer (repeat for more)', collect, [])
      .option(
        '--attach-stored <file>',
        "send a file by reference with the answer: upload it to the gateway's attachment store",
        collect,
        [],
      )
      .option('--token <token>', 'participant token for --attach-stored (also SMEV_GATEWAY_TOKEN)')
      .option(
        '--reject <code>',
        'reject instead: ACCESS_DENIED, NO_DATA, UNKNOWN_REQUEST_DESCRIPTION, FAILURE',
      )
      .option('--status <code>', 'an intermediate status code instead (the request stays open)')
      .option('--description <text>', 'the rejection or status description', ''),
  ).action(
    async (
      to: string,
      options: QueueOptions & {
        payload?: string;
        attach: string[];
        attachStored: string[];
        token?: string;
        reject?: string;
        status?: string;
        description: string;
      },
    ) => {
      const content: ResponseContent = options.payload
        ? {
            kind: 'answer',
            payload: readPayload(options.payload),
            attachments: attachmentsOf(options.attach),
            fileRefs: await storedFilesOf(options),
          }
        : options.reject
          ? { kind: 'rejected', code: options.reject, description: options.description }
          : { kind: 'status', code: Number(options.status ?? 0), description: options.description };
      const response = sendResponseXml(speaking(options), systemSigningKey(options), to, content);
      await post(options, response.xml, 'SendResponse');
      if (!process.exitCode) printLines(`answered with ${response.messageId}`);
    },
  );
  common(queue.command('ack <messageId>').description('acknowledge a message the system took')).action(
    async (messageId: string, options: QueueOptions) => {
      await post(options, ackXml(speaking(options), systemSigningKey(options), messageId), 'Ack');
      if (!process.exitCode) printLines(`acknowledged ${messageId}`);
    },
  );
  common(
    queue.command('statistics').description('how many messages wait for the system, per message type'),
  ).action(async (options: QueueOptions) => {
    const body = await post(
      options,
      queueStatisticsXml(speaking(options), systemSigningKey(options)),
      'GetIncomingQueueStatistics',
    );
    if (process.exitCode) return;
    const queues = readQueueStatistics(body);
    if (queues.length === 0) printLines('nothing waits');
    // A tab between the two, for `cut`: the name is made printable alone, so the line keeps only that tab.
    for (const queue of queues) printText(`${queue.pending}\t${printable(queue.queueName)}\n`);
  });
  common(queue.command('status').description("take the system's next status notice")).action(
    async (options: QueueOptions) => {
      await printHandedOut(
        await post(options, getStatusXml(speaking(options), systemSigningKey(options)), 'GetStatus'),
      );
    },
  );
}
