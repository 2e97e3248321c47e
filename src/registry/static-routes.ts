/**
 * Routes known without the participant registry: the gateway's own ping service, open to every verified sender.
 * The registry adds the routes that operators register.
 */
import type { Route, Router, SystemRef, VerifiedSender } from '../exchange/dependencies.js';
import type { MessageType } from '../providers/contract.js';
import { GatewayFault } from '../soap/faults.js';

export const GATEWAY_SYSTEM: SystemRef = { mnemonic: 'SMEV_GATEWAY', humanReadableName: 'smev-gateway' };

export class StaticRouter implements Router {
  private readonly routes = new Map<string, Route>();

  add(messageType: MessageType, route: Route): this {
    this.routes.set(`{${messageType.namespace}}${messageType.localName}`, route);
    return this;
  }

  async route(_sender: VerifiedSender, messageType: MessageType): Promise<Route> {
    const found = this.routes.get(`{${messageType.namespace}}${messageType.localName}`);
    if (!found) {
      throw new GatewayFault('RecipientIsNotFound', `no recipient is routed for {${messageType.namespace}}${messageType.localName}`);
    }
    return found;
  }
}
