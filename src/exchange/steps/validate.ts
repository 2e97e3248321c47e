/**
 * Step 3, validate: envelope, exchange message and business payload against the compiled schema set in one
 * pass. Then each operation reads its signed block (the operation table), and a payload for a hosted provider
 * must be a message type some service understands.
 */
import { GatewayFault } from '../../core/faults.js';
import type { SchemaSet } from '../../xml/schemas.js';
import type { MessageType } from '../../providers/contract.js';
import { need, type Exchange } from '../context.js';
import type { Delivery } from '../../core/ports.js';

export function validate(exchange: Exchange, schemas: SchemaSet): void {
  const problems = schemas.validate(need(exchange.text, 'message text'));
  if (problems.length) {
    throw new GatewayFault(
      'InvalidContent',
      `the message does not conform to its schema: ${problems[0]?.message}`,
      {
        errors: problems,
      },
    );
  }
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
