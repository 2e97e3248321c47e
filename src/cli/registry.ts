/**
 * Registry commands for regional operators: participants, systems, certificates, routes and API tokens. They
 * work on the configured store directly, through the same registry (checks, lifecycle, audit trail) as the API.
 * The CLI user holds local administrator rights: each command acts in the role its operation belongs to.
 */
import { writeFileSync } from 'node:fs';
import { readInputFile, readJsonFile } from './inputs.js';
import type { Command } from 'commander';
import { RegistryError } from '../registry/errors.js';
import { TRANSITIONS, isTransitionName } from '../registry/lifecycle.js';
import { qrPng, qrSvg } from '../registry/qr.js';
import type { Actor } from '../registry/registry.js';
import type { Role, SystemStatus } from '../store/schema.js';
import { cliActorName, openCliContext, type CliContext } from './context.js';
import { print, printNote } from './output.js';

export interface Common {
  config?: string;
  json?: boolean;
  actor?: string;
}

export function run<A extends unknown[]>(
  work: (ctx: CliContext, actor: (role: Role) => Actor, ...args: A) => Promise<unknown>,
) {
  // commander calls actions with (...positional arguments, options, command); work gets all but the command.
  return async (...args: [...A, Command]) => {
    const options = args[args.length - 2] as Common;
    const ctx = await openCliContext(options.config);
    try {
      const result = await work(
        ctx,
        (role) => ({ name: cliActorName(options.actor), role }),
        ...(args.slice(0, -1) as A),
      );
      if (result !== undefined) print(result, options.json);
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      printNote(`error: ${error.message}`);
      process.exitCode = 1;
    } finally {
      await ctx.close();
    }
  };
}

export const common = (command: Command) =>
  command
    .option('-c, --config <file>', 'JSON configuration file')
    .option('--json', 'print JSON')
    .option('--actor <name>', 'who is acting, for the audit trail (default cli:<user>)');

export const readJson = (file: string): unknown => readJsonFile('JSON file', file);

export function registerRegistryCommands(program: Command): void {
  const participants = program
    .command('participants')
    .description('participant organisations and their applications');
  common(
    participants.command('list').option('--status <status>').option('--overdue', 'only overdue applications'),
  ).action(
    run((ctx, actor, options: Common & { status?: string; overdue?: boolean }) =>
      ctx.registry.listParticipants(actor('operator'), {
        ...(options.status ? { status: options.status } : {}),
        ...(options.overdue ? { overdue: true } : {}),
      }),
    ),
  );
  common(participants.command('show <id>')).action(
    run((ctx, actor, id: string) => ctx.registry.getParticipant(actor('operator'), id)),
  );
  common(
    participants
      .command('apply <file>')
      .description('enter an application from a JSON file (see examples/application.json)'),
  ).action(
    run((ctx, actor, file: string) => ctx.registry.submitApplication(actor('operator'), readJson(file))),
  );
  common(
    participants
      .command('update <id> <file>')
      .description("replace a participant's data from a JSON file after it reports a change")
      .option('--changed-on <day>', 'the day (YYYY-MM-DD) the change took effect, unless the file says'),
  ).action(
    run((ctx, actor, id: string, file: string, options: Common & { changedOn?: string }) =>
      ctx.registry.updateDetails(actor('operator'), id, {
        ...(readJson(file) as object),
        ...(options.changedOn ? { changedOn: options.changedOn } : {}),
      }),
    ),
  );
  for (const name of Object.keys(TRANSITIONS)) {
    common(
      participants
        .command(`${name} <id>`)
        .option('-r, --reason <text>', 'why (required to decline, suspend, block, withdraw)'),
    ).action(
      run(async (ctx, actor, id: string, options: Common & { reason?: string }) => {
        if (!isTransitionName(name)) return undefined;
        return ctx.registry.transition(actor(TRANSITIONS[name].role), id, name, options.reason);
      }),
    );
  }
  common(participants.command('qr <id>').option('--png <file>').option('--svg <file>')).action(
    run(async (ctx, actor, id: string, options: Common & { png?: string; svg?: string }) => {
      const { registryCode } = await ctx.registry.getParticipant(actor('operator'), id);
      if (!registryCode) throw new RegistryError('conflict', 'the participant is not registered yet');
      const link = ctx.registry.qrContent(registryCode);
      if (options.png) writeFileSync(options.png, await qrPng(link));
      if (options.svg) writeFileSync(options.svg, await qrSvg(link));
      return { registryCode, link, png: options.png ?? '', svg: options.svg ?? '' };
    }),
  );

  const systems = program.command('systems').description('information systems');
  common(systems.command('list')).action(run((ctx, actor) => ctx.registry.listSystems(actor('operator'))));
  common(systems.command('add <participantId> <mnemonic> <name>')).action(
    run((ctx, actor, participantId: string, mnemonic: string, name: string) =>
      ctx.registry.addSystem(actor('operator'), participantId, { mnemonic, name }),
    ),
  );
  const statuses: Record<string, SystemStatus> = { suspend: 'suspended', resume: 'active', block: 'blocked' };
  for (const [verb, status] of Object.entries(statuses)) {
    common(systems.command(`${verb} <mnemonic>`).option('-r, --reason <text>')).action(
      run((ctx, actor, mnemonic: string, options: Common & { reason?: string }) =>
        ctx.registry.setSystemStatus(actor('operator'), mnemonic, status, options.reason),
      ),
    );
  }

  const certs = program.commands.find((c) => c.name() === 'certs') ?? program.command('certs');
  common(certs.command('list <mnemonic>')).action(
    run((ctx, actor, mnemonic: string) => ctx.registry.listCertificates(actor('operator'), mnemonic)),
  );
  common(
    certs.command('add <mnemonic> <pemFile>').description('register a signing certificate for a system'),
  ).action(
    run((ctx, actor, mnemonic: string, file: string) =>
      ctx.registry.addCertificate(actor('operator'), mnemonic, { pem: readInputFile('certificate', file) }),
    ),
  );
  common(certs.command('withdraw <mnemonic> <thumbprint>')).action(
    run((ctx, actor, mnemonic: string, thumbprint: string) =>
      ctx.registry.withdrawCertificate(actor('operator'), mnemonic, thumbprint),
    ),
  );

  const routes = program.command('routes').description('routes of message types to recipients and providers');
  common(routes.command('list')).action(run((ctx, actor) => ctx.registry.listRoutes(actor('operator'))));
  common(
    routes
      .command('add')
      .requiredOption('--consumer <mnemonic>')
      .requiredOption('--namespace <uri>')
      .requiredOption('--local-name <name>')
      .requiredOption('--recipient <mnemonic>')
      .requiredOption('--provider <provider>', 'builtin:<service> or remote:<url>'),
  ).action(
    run(
      (
        ctx,
        actor,
        options: Common & {
          consumer: string;
          namespace: string;
          localName: string;
          recipient: string;
          provider: string;
        },
      ) =>
        ctx.registry.addRoute(actor('operator'), {
          consumer: options.consumer,
          namespace: options.namespace,
          localName: options.localName,
          recipient: options.recipient,
          provider: options.provider,
        }),
    ),
  );
  common(routes.command('withdraw <id>')).action(
    run((ctx, actor, id: string) => ctx.registry.withdrawRoute(actor('operator'), id)),
  );

  const tokens = program.command('tokens').description('API tokens (stored hashed; the token is shown once)');
  common(
    tokens
      .command('create')
      .requiredOption('--name <name>')
      .requiredOption('--role <role>', 'operator, coordinator, auditor, participant or authority')
      .option('--spheres <codes>', "a coordinator's spheres, comma-separated (default: every sphere)")
      .option('--participant <id>', 'the participant a participant token acts for'),
  ).action(
    run(
      (
        ctx,
        actor,
        options: Common & { name: string; role: string; spheres?: string; participant?: string },
      ) => {
        if (!['operator', 'coordinator', 'auditor', 'participant', 'authority'].includes(options.role)) {
          throw new RegistryError(
            'invalid',
            'role: must be operator, coordinator, auditor, participant or authority',
            'role',
          );
        }
        return ctx.registry.createToken(actor('operator'), options.name, options.role as Role, {
          ...(options.spheres ? { spheres: options.spheres.split(',').map((s) => s.trim()) } : {}),
          ...(options.participant ? { participantId: options.participant } : {}),
        });
      },
    ),
  );
  common(tokens.command('list')).action(run((ctx) => ctx.registry.listTokens()));
  common(tokens.command('revoke <id>')).action(
    run((ctx, actor, id: string) => ctx.registry.revokeToken(actor('operator'), id)),
  );
}
