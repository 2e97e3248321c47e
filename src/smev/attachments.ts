/**
 * Attachments carried inline (SMEV 3 `AttachmentContentList`): the signed block names each file in
 * `AttachmentHeaderList/AttachmentHeader/contentId`, and the operation element carries the files beside it in
 * `AttachmentContentList/AttachmentContent` (`Id`, `Content`). The contents stand outside the caller's signature,
 * so the gateway insists that headers and contents name the same files, each once, before it accepts the message;
 * the recipient then finds exactly the files the signed headers promise.
 */
import { GatewayFault } from '../core/faults.js';
import { NS } from '../soap/namespaces.js';
import { childElements, childText, firstChildElement, serializeNode, type Element } from '../xml/dom.js';
import type { FileRef } from '../core/ports.js';

/** The message's attachment contents, serialised as one standalone `AttachmentContentList`, or undefined. */
export function readAttachments(
  operationElement: Element,
  signedBlock: Element,
  basic: string = NS.basic,
): string | undefined {
  const headerList = firstChildElement(signedBlock, basic, 'AttachmentHeaderList');
  const contentList = firstChildElement(operationElement, basic, 'AttachmentContentList');
  const named = idsOf(headerList, 'AttachmentHeader', 'contentId', basic);
  const carried = idsOf(contentList, 'AttachmentContent', 'Id', basic);
  const namedSet = new Set(named);
  const carriedSet = new Set(carried);
  const problems = [
    ...duplicates(named).map((id) => `the headers name ${id} twice`),
    ...duplicates(carried).map((id) => `the contents hold ${id} twice`),
    ...[...namedSet].filter((id) => !carriedSet.has(id)).map((id) => `no content for the header ${id}`),
    ...[...carriedSet].filter((id) => !namedSet.has(id)).map((id) => `no header for the content ${id}`),
  ];
  if (problems.length > 0) {
    throw new GatewayFault('AttachmentContentMiscoordination', clip(problems.join('; ')));
  }
  return contentList ? serializeNode(contentList) : undefined;
}

function idsOf(list: Element | undefined, item: string, idElement: string, basic: string): string[] {
  if (!list) return [];
  return childElements(list)
    .filter((element) => element.namespaceURI === basic && element.localName === item)
    .map((element) => (childText(element, basic, idElement) ?? '').trim());
}

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of ids) (seen.has(id) ? twice : seen).add(id);
  return [...twice];
}

function clip(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/**
 * Files by reference (SMEV 3 file-storage attachments): the signed block's `RefAttachmentHeaderList` names each
 * file of the attachment store by `uuid`, with its `Hash` and `MimeType`. The files are checked against the store
 * when the message is queued; a file named twice is refused here.
 */
export function readFileRefs(signedBlock: Element, basic: string = NS.basic): FileRef[] {
  const list = firstChildElement(signedBlock, basic, 'RefAttachmentHeaderList');
  if (!list) return [];
  const refs = childElements(list)
    .filter((element) => element.namespaceURI === basic && element.localName === 'RefAttachmentHeader')
    .map((header) => ({
      uuid: (childText(header, basic, 'uuid') ?? '').trim(),
      hash: (childText(header, basic, 'Hash') ?? '').trim(),
      mimeType: (childText(header, basic, 'MimeType') ?? '').trim(),
    }));
  const twice = duplicates(refs.map((ref) => ref.uuid));
  if (twice.length > 0) {
    throw new GatewayFault(
      'AttachmentContentMiscoordination',
      clip(twice.map((uuid) => `the RefAttachmentHeaderList names ${uuid} twice`).join('; ')),
    );
  }
  return refs;
}

/**
 * The decoded size of the files in `AttachmentContentList`, against the limit (`limits.maxAttachmentBytes`):
 * past it the message is refused with SMEV's AttachmentSizeLimitExceeded, naming both sizes.
 */
export function requireAttachmentSize(
  operationElement: Element,
  limit: number | undefined,
  basic: string = NS.basic,
): void {
  if (limit === undefined) return;
  const contentList = firstChildElement(operationElement, basic, 'AttachmentContentList');
  if (!contentList) return;
  let total = 0;
  for (const content of childElements(contentList)) {
    total += base64Bytes(childText(content, basic, 'Content') ?? '');
  }
  if (total > limit) {
    throw new GatewayFault(
      'AttachmentSizeLimitExceeded',
      `the attachments hold ${total} bytes, more than the ${limit} permitted`,
      {
        fields: [
          ['PermittedTotalAttachmentSize', String(limit)],
          ['RealTotalAttachmentSize', String(total)],
        ],
      },
    );
  }
}

/** Bytes that base64 text decodes to, without decoding it. */
function base64Bytes(text: string): number {
  const compact = text.replace(/\s+/g, '');
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((compact.length * 3) / 4) - padding);
}
