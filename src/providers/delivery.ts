/**
 * Delivery to providers: finds the service for a message type, decodes the payload into the typed request,
 * calls the route's provider under the deadline and encodes its answer. Provider failures become faults with
 * their cause; a provider never hangs an exchange past the deadline. Every answer, hosted or remote, Call or
 * queued, leaves here checked: one element that carries none of the gateway's own markup.
 */
import type { Element } from '@xmldom/xmldom';
import type { Delivery, ProviderCall } from '../core/ports.js';
import { GatewayFault } from '../core/faults.js';
import type { RouteProvider } from '../core/model.js';
import { formatRouteProvider } from '../core/route-provider.js';
import { gatewayMarkupIn } from '../smev/reserved-ids.js';
import { parseDom } from '../xml/dom.js';
import { outcomeOf, type MessageType, type ProviderOutcome } from './contract.js';
import type { HostedService } from './service.js';
import { messageTypeKey, remoteProviderName, type RemoteProvider } from './remote/remote-provider.js';
import { serializeElement } from './remote/wire.js';

/** The remote provider and the message types remote routes may carry (`services.remote` in the configuration). */
export interface RemoteDelivery {
  readonly provider: RemoteProvider;
  readonly messageTypes: ReadonlySet<string>;
}

export class ProviderDelivery implements Delivery {
  private readonly byNamespace: Map<string, HostedService>;

  constructor(
    services: readonly HostedService[],
    private readonly remote?: RemoteDelivery,
  ) {
    this.byNamespace = new Map(services.map((service) => [service.codec.namespace, service]));
  }

  knows(messageType: MessageType): boolean {
    return (
      (this.byNamespace.get(messageType.namespace)?.codec.requests.includes(messageType.localName) ??
        false) ||
      (this.remote?.messageTypes.has(messageTypeKey(messageType)) ?? false)
    );
  }

  async deliver(call: ProviderCall): Promise<ProviderOutcome<string>> {
    const { route, request, deadline } = call;
    const provider = route.provider;
    const named = formatRouteProvider(provider);
    if (provider.kind === 'remote') {
      if (!this.remote)
        throw new GatewayFault('SMEVFailure', `provider ${named}: remote providers are not configured`);
      return this.remote.provider.deliver(
        provider.url,
        { ...providerRequest(call), payloadXml: serializeElement(request.payload) },
        deadline,
        (outcome) => checkedAnswer(remoteProviderName(provider.url), outcome),
      );
    }
    const service = this.hosted(provider, request.messageType);
    const body = decodePayload(service, request.payload);
    const outcome = await withDeadline(deadline, named, () =>
      outcomeOf(service.provider.handle({ ...providerRequest(call), body, signal: deadline })),
    );
    return outcome.kind === 'answer'
      ? checkedAnswer(`provider ${named}`, {
          kind: 'answer',
          body: encodeAnswer(service, named, outcome.body),
        })
      : outcome;
  }

  /** The hosted service a route selects (by its name or a former one) for this message type. */
  private hosted(provider: RouteProvider, messageType: MessageType): HostedService {
    const service = this.byNamespace.get(messageType.namespace);
    const name = provider.kind === 'hosted' ? provider.service : undefined;
    if (!service || name === undefined || !(name === service.name || service.aliases?.includes(name)))
      throw new GatewayFault(
        'SMEVFailure',
        `provider ${formatRouteProvider(provider)} is not available for this message type`,
      );
    return service;
  }
}

/** What every provider is told of a request, hosted or remote: its ids, its verified sender, its message type. */
function providerRequest({ request, sender }: ProviderCall) {
  return {
    messageId: request.messageId,
    referenceMessageId: request.referenceMessageId,
    transactionCode: request.transactionCode,
    testMessage: request.testMessage,
    sender: { mnemonic: sender.mnemonic },
    messageType: request.messageType,
  };
}

/**
 * A provider's answer goes inside the gateway's signed Response, whose readers find that Response, its
 * signatures and their targets by the gateway's namespaces and Ids: an answer carrying any of them would be
 * signed into a document that no longer reads or verifies, so it is the provider's failure instead.
 */
function checkedAnswer(provider: string, outcome: ProviderOutcome<string>): ProviderOutcome<string> {
  if (outcome.kind !== 'answer') return outcome;
  const failed = (why: string, cause?: unknown) =>
    new GatewayFault('ProviderFailure', `${provider} failed: ${why}`, { cause, reason: 'MalformedAnswer' });
  let doc;
  try {
    doc = parseDom(outcome.body);
  } catch (error) {
    throw failed(`the answer is not well-formed XML: ${(error as Error).message.slice(0, 300)}`, error);
  }
  const answer = doc.documentElement;
  if (!answer) throw failed('the answer holds no element');
  const markup = gatewayMarkupIn(answer);
  if (markup !== undefined)
    throw failed(
      `the answer carries ${markup}, which only the gateway's own envelope and signatures may carry`,
    );
  return outcome;
}

/**
 * The codec refuses what the schema let through but it cannot read exactly (a number beyond the safe integer
 * range, say): that is the client's content, so a client fault, never an internal failure.
 */
function decodePayload(service: HostedService, payload: Element): unknown {
  try {
    return service.codec.decode(payload);
  } catch (error) {
    if (error instanceof GatewayFault) throw error;
    const reason = (error as Error).message.slice(0, 300);
    throw new GatewayFault('InvalidContent', `the ${payload.localName} payload cannot be read: ${reason}`, {
      cause: error,
    });
  }
}

/** The provider's answer as XML: a codec that cannot write it is the provider's failure, named, not ours. */
function encodeAnswer(service: HostedService, provider: string, body: unknown): string {
  try {
    return service.codec.encode(body);
  } catch (error) {
    if (error instanceof GatewayFault) throw error;
    const reason = (error as Error).message.slice(0, 300);
    throw new GatewayFault(
      'ProviderFailure',
      `provider ${provider} failed: its answer cannot be written: ${reason}`,
      {
        cause: error,
        reason: 'MalformedAnswer',
      },
    );
  }
}

/** The provider's work, started only within the deadline and given up at it (the provider sees `signal` abort). */
async function withDeadline<T>(deadline: AbortSignal, provider: string, work: () => Promise<T>): Promise<T> {
  const timedOut = () => new GatewayFault('ProviderTimeout', `provider ${provider} did not answer in time`);
  if (deadline.aborted) throw timedOut();
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    onAbort = () => reject(timedOut());
    deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(), timeout]);
  } catch (error) {
    if (error instanceof GatewayFault) throw error;
    throw new GatewayFault('ProviderFailure', `provider ${provider} failed: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    if (onAbort) deadline.removeEventListener('abort', onAbort);
  }
}
