/**
 * The registry as the pipeline sees it: which system a certificate belongs to, and where a sender's message type
 * is routed. An in-memory snapshot, reloaded whenever the registry revision changes; the revision is polled
 * every half second, so a change made on any gateway instance takes effect on all of them within a second.
 */
import type { Route, Router, SystemRef, VerifiedSender } from '../core/ports.js';
import { parseRouteProvider } from '../core/route-provider.js';
import type { MessageType } from '../core/model.js';
import type { RegisteredSystem, SystemDirectory } from '../signature/systems.js';
import { GatewayFault } from '../core/faults.js';
import type { Store } from '../store/store.js';

interface SystemEntry extends SystemRef {
  readonly id: string;
  /** The system may exchange: it is active and so is its participant. */
  readonly active: boolean;
  readonly why: string;
}

interface Snapshot {
  readonly revision: number;
  readonly byThumbprint: ReadonlyMap<string, SystemEntry>;
  readonly byMnemonic: ReadonlyMap<string, SystemEntry>;
  /** `consumerId {ns}local` → route. */
  readonly routes: ReadonlyMap<string, Route>;
}

const routeKey = (consumerId: string, type: MessageType) =>
  `${consumerId} {${type.namespace}}${type.localName}`;

export class RegistryDirectory implements SystemDirectory, Router {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly store: Store,
    private snapshot: Snapshot,
  ) {}

  static async open(store: Store, pollMs = 500): Promise<RegistryDirectory> {
    const directory = new RegistryDirectory(store, await load(store));
    directory.timer = setInterval(() => void directory.refresh().catch(() => undefined), pollMs);
    directory.timer.unref();
    return directory;
  }

  /** Reload when the revision moved; a store outage keeps the last snapshot. */
  async refresh(): Promise<void> {
    const row = await this.store.db
      .selectFrom('registry_revision')
      .select('revision')
      .where('id', '=', 1)
      .executeTakeFirst();
    if (row && Number(row.revision) !== this.snapshot.revision) this.snapshot = await load(this.store);
  }

  close(): void {
    clearInterval(this.timer);
  }

  async systemForCertificate(thumbprint: string): Promise<RegisteredSystem | undefined> {
    const system = this.snapshot.byThumbprint.get(thumbprint);
    return (
      system && {
        mnemonic: system.mnemonic,
        humanReadableName: system.humanReadableName,
        active: system.active,
        why: system.why,
      }
    );
  }

  system(mnemonic: string): SystemRef | undefined {
    const system = this.snapshot.byMnemonic.get(mnemonic);
    return system && { mnemonic: system.mnemonic, humanReadableName: system.humanReadableName };
  }

  async route(sender: VerifiedSender, messageType: MessageType): Promise<Route> {
    const consumer = this.snapshot.byMnemonic.get(sender.mnemonic);
    if (!consumer)
      throw new GatewayFault('SenderIsNotRegistered', `${sender.mnemonic} is not in the registry`);
    if (!consumer.active)
      throw new GatewayFault('AccessDenied', `${sender.mnemonic} may not exchange messages: ${consumer.why}`);
    const route = this.snapshot.routes.get(routeKey(consumer.id, messageType));
    if (!route) {
      throw new GatewayFault(
        'RecipientIsNotFound',
        `${sender.mnemonic} holds no route for {${messageType.namespace}}${messageType.localName}`,
      );
    }
    const recipient = this.snapshot.byMnemonic.get(route.recipient.mnemonic);
    if (!recipient?.active) {
      throw new GatewayFault(
        'RecipientIsNotFound',
        `the recipient ${route.recipient.mnemonic} is not available: ${recipient?.why ?? 'unknown'}`,
      );
    }
    return route;
  }
}

async function load(store: Store): Promise<Snapshot> {
  const { db } = store;
  const [revision, systems, certificates, routes] = await Promise.all([
    db.selectFrom('registry_revision').select('revision').where('id', '=', 1).executeTakeFirst(),
    db
      .selectFrom('information_systems as s')
      .innerJoin('participants as p', 'p.id', 's.participant_id')
      .select([
        's.id',
        's.mnemonic',
        's.name',
        's.status',
        'p.status as participantStatus',
        'p.short_name as participant',
      ])
      .execute(),
    db
      .selectFrom('system_certificates')
      .select(['thumbprint', 'system_id'])
      .where('status', '=', 'active')
      .execute(),
    db.selectFrom('routes').selectAll().where('status', '=', 'active').execute(),
  ]);
  const byId = new Map<string, SystemEntry>();
  for (const s of systems) {
    const active = s.status === 'active' && s.participantStatus === 'active';
    const why =
      s.status !== 'active'
        ? `the system is ${s.status}`
        : `its participant ${s.participant} is ${s.participantStatus}`;
    byId.set(s.id, {
      id: s.id,
      mnemonic: s.mnemonic,
      humanReadableName: s.name,
      active,
      why: active ? '' : why,
    });
  }
  const byThumbprint = new Map<string, SystemEntry>();
  for (const c of certificates) {
    const system = byId.get(c.system_id);
    if (system) byThumbprint.set(c.thumbprint, system);
  }
  const routeMap = new Map<string, Route>();
  for (const r of routes) {
    const recipient = byId.get(r.recipient_system_id);
    // The registry writes only providers it can read; a row it cannot read routes nowhere.
    const provider = parseRouteProvider(r.provider);
    if (!recipient || !provider) continue;
    routeMap.set(
      routeKey(r.consumer_system_id, { namespace: r.message_namespace, localName: r.message_local_name }),
      {
        recipient: { mnemonic: recipient.mnemonic, humanReadableName: recipient.humanReadableName },
        provider,
      },
    );
  }
  return {
    revision: Number(revision?.revision ?? 0),
    byThumbprint,
    byMnemonic: new Map([...byId.values()].map((s) => [s.mnemonic, s])),
    routes: routeMap,
  };
}
