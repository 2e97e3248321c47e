/**
 * Step 3, validate: envelope, exchange message and business payload against the compiled schema set in one
 * pass, and the inline attachments within their size limit. What an operation's block must satisfy beyond its
 * schema is checked here too, as the operation reaches it: a payload for a hosted service must be a message type
 * some service understands, and hosted services take no files.
 */
import { GatewayFault } from '../../core/faults.js';
import { guardXml, type XmlLimits } from '../../xml/guard.js';
import type { SchemaSet } from '../../xml/schemas.js';
import type { FileRef, MessageType, RouteProvider } from '../../core/model.js';
import type { Delivery } from '../../core/ports.js';
import type { ExchangeNamespaces } from '../../soap/namespaces.js';
import { requireAttachmentSize } from '../../smev/attachments.js';
import type { ParsedMessage } from './parse.js';

export function validate(
  message: ParsedMessage,
  schemas: SchemaSet,
  contract: ExchangeNamespaces,
  limits: XmlLimits & { readonly maxAttachmentBytes?: number },
): void {
  const problems = schemas.validate(message.text);
  if (problems.length) {
    // A text built only within the gate's limits and refused here may be one the strict gate refuses: its
    // refusal says what is wrong with the XML itself.
    if (!message.strictlyGated) guardXml(message.text, limits);
    throw new GatewayFault(
      'InvalidContent',
      `the message does not conform to its schema: ${problems[0]?.message}`,
      { errors: problems },
    );
  }
  requireAttachmentSize(message.envelope.operationElement, limits.maxAttachmentBytes, contract.basic);
}

export function requireKnown(messageType: MessageType, delivery: Delivery): void {
  if (!delivery.knows(messageType)) {
    const { namespace, localName } = messageType;
    throw new GatewayFault(
      'BusinessDataTypeIsNotSupported',
      `no service handles {${namespace}}${localName}`,
      {
        fields: [
          ['RootElementLocalName', localName],
          ['RootElementNamespaceURI', namespace],
        ],
      },
    );
  }
}

/**
 * Hosted providers take typed requests without files: a message with attachments for one is refused, never
 * stripped, so nothing the sender signed for is silently dropped.
 */
export function requireNoAttachments(
  attachments: string | undefined,
  provider: RouteProvider,
  fileRefs: readonly FileRef[] = [],
): void {
  if (attachments !== undefined || fileRefs.length > 0) {
    throw new GatewayFault(
      'AttachmentsNotAccepted',
      `the ${provider.kind} provider of this message type takes no attachments; send files to systems that take their own requests`,
    );
  }
}
