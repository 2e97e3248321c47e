/**
 * Step 3, validate: envelope, exchange message and business payload against the compiled schema set in one
 * pass; then the payload must be a message type some service understands.
 */
import { GatewayFault } from '../../soap/faults.js';
import type { SchemaSet } from '../../xml/schemas.js';
import { need, type Exchange } from '../context.js';
import type { Delivery } from '../dependencies.js';
import { readSenderRequest } from '../request.js';

export function validate(exchange: Exchange, schemas: SchemaSet, delivery: Delivery): void {
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
  const request = readSenderRequest(need(exchange.envelope, 'envelope').operationElement);
  if (!delivery.knows(request.messageType)) {
    const { namespace, localName } = request.messageType;
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
  exchange.request = request;
}
