/**
 * The participant registry, composed of parts with one job each: participants and their lifecycle, systems,
 * certificates, routes, tokens, and the regional companions (agreements, reference books, route applications,
 * block requests). Every change runs through `runChange` (transaction.ts): one transaction with its audit entry
 * and the revision bump.
 *
 * The facade keeps the method names its callers (the admin API, the CLI, the seed, the composition root and many
 * tests) have always used, each handing on to its part, so splitting the registry changed none of them; new code
 * may reach a part directly (`registry.routes.add(...)`).
 */
import type { TrustStore } from '../signature/pki/trust-store.js';
import type { Store } from '../store/store.js';
import { Agreements } from './agreements.js';
import { BlockRequests } from './block-requests.js';
import { Certificates } from './certificates.js';
import { Participants, type ParticipantOptions } from './participants.js';
import { ReferenceBooks } from './reference-books.js';
import { RouteApplications } from './route-applications.js';
import { Routes } from './routes.js';
import { Systems } from './systems.js';
import { Tokens } from './tokens.js';
import type { AuditSink, RegistryContext } from './types.js';

export type { Actor } from './types.js';
export type RegistryOptions = ParticipantOptions;

export class Registry {
  readonly participants: Participants;
  readonly systems: Systems;
  readonly certificates: Certificates;
  readonly routes: Routes;
  readonly tokens: Tokens;
  readonly agreements: Agreements;
  readonly books: ReferenceBooks;
  readonly routeApplications: RouteApplications;
  readonly blockRequests: BlockRequests;

  constructor(
    store: Store,
    audit: AuditSink,
    trust: TrustStore,
    readonly clock: () => Date = () => new Date(),
    options: RegistryOptions = {},
  ) {
    const ctx: RegistryContext = { db: store.db, audit, clock };
    this.books = new ReferenceBooks(ctx);
    this.agreements = new Agreements(ctx);
    this.participants = new Participants(ctx, this.books, this.agreements, options);
    this.systems = new Systems(ctx);
    this.certificates = new Certificates(ctx, trust);
    this.routes = new Routes(ctx);
    this.tokens = new Tokens(ctx, this.books);
    this.routeApplications = new RouteApplications(ctx);
    this.blockRequests = new BlockRequests(ctx);
  }

  submitApplication: Participants['submitApplication'] = (...a) => this.participants.submitApplication(...a);
  transition: Participants['transition'] = (...a) => this.participants.transition(...a);
  updateDetails: Participants['updateDetails'] = (...a) => this.participants.updateDetails(...a);
  listChanges: Participants['listChanges'] = (...a) => this.participants.listChanges(...a);
  listParticipants: Participants['list'] = (...a) => this.participants.list(...a);
  getParticipant: Participants['get'] = (...a) => this.participants.get(...a);
  qrContent: Participants['qrContent'] = (...a) => this.participants.qrContent(...a);
  lookupCode: Participants['lookupCode'] = (...a) => this.participants.lookupCode(...a);

  addSystem: Systems['add'] = (...a) => this.systems.add(...a);
  setSystemStatus: Systems['setStatus'] = (...a) => this.systems.setStatus(...a);
  listSystems: Systems['list'] = (...a) => this.systems.list(...a);

  addCertificate: Certificates['add'] = (...a) => this.certificates.add(...a);
  withdrawCertificate: Certificates['withdraw'] = (...a) => this.certificates.withdraw(...a);
  listCertificates: Certificates['list'] = (...a) => this.certificates.list(...a);

  addRoute: Routes['add'] = (...a) => this.routes.add(...a);
  withdrawRoute: Routes['withdraw'] = (...a) => this.routes.withdraw(...a);
  listRoutes: Routes['list'] = (...a) => this.routes.list(...a);

  createToken: Tokens['create'] = (...a) => this.tokens.create(...a);
  revokeToken: Tokens['revoke'] = (...a) => this.tokens.revoke(...a);
  listTokens: Tokens['list'] = (...a) => this.tokens.list(...a);
  authenticate: Tokens['authenticate'] = (...a) => this.tokens.authenticate(...a);
  actorOfToken: Tokens['actorOfToken'] = (...a) => this.tokens.actorOfToken(...a);
}
