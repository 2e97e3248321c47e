/**
 * Commands for the regional rules' registry duties: interaction agreements, reported changes, route
 * applications, block requests and reference books. They act through the registry like the admin API.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { RegistryError } from '../registry/errors.js';
import { common, run, type Common } from './registry.js';

const MEDIA_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.p7m': 'application/pkcs7-mime',
  '.p7s': 'application/pkcs7-signature',
  '.sig': 'application/pkcs7-signature',
};

const sub = (program: Command, name: string) =>
  program.commands.find((c) => c.name() === name) ?? program.command(name);

export function registerRegionalCommands(program: Command): void {
  const participants = sub(program, 'participants');
  common(
    participants
      .command('agreement <id> <file>')
      .description(
        "record a state body's interaction agreement with the signed document (.pdf, .zip, .p7m, .p7s)",
      )
      .requiredOption('--number <number>', "the agreement's number")
      .requiredOption('--signed-on <day>', 'the day it was signed, YYYY-MM-DD'),
  ).action(
    run((ctx, actor, id: string, file: string, options: Common & { number: string; signedOn: string }) =>
      ctx.registry.agreements.record(actor('operator'), id, {
        number: options.number,
        signedOn: options.signedOn,
        fileName: file.split(/[/\\]/).pop(),
        mediaType: MEDIA_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        contentBase64: readFileSync(file).toString('base64'),
      }),
    ),
  );
  common(
    participants
      .command('agreements-missing')
      .description('state bodies and local governments with no interaction agreement recorded'),
  ).action(run((ctx) => ctx.registry.agreements.missing()));
  common(
    participants
      .command('changes')
      .description('reported changes of participant data')
      .option('--late', 'only those reported after the third day')
      .option('--participant <id>'),
  ).action(
    run((ctx, _actor, options: Common & { late?: boolean; participant?: string }) =>
      ctx.registry.listChanges({
        ...(options.late ? { late: true } : {}),
        ...(options.participant ? { participantId: options.participant } : {}),
      }),
    ),
  );

  const routes = sub(program, 'routes');
  common(
    routes
      .command('apply')
      .description("enter a participant's application for a route, for the operator to approve or decline")
      .requiredOption('--consumer <mnemonic>')
      .requiredOption('--namespace <uri>')
      .requiredOption('--local-name <name>')
      .requiredOption('--recipient <mnemonic>'),
  ).action(
    run(
      (
        ctx,
        actor,
        o: Common & { consumer: string; namespace: string; localName: string; recipient: string },
      ) =>
        ctx.registry.routeApplications.apply(actor('operator'), {
          consumer: o.consumer,
          namespace: o.namespace,
          localName: o.localName,
          recipient: o.recipient,
        }),
    ),
  );
  common(routes.command('applications').option('--status <status>', 'applied, approved or declined')).action(
    run((ctx, actor, options: Common & { status?: string }) =>
      ctx.registry.routeApplications.list(
        actor('operator'),
        options.status ? { status: options.status } : {},
      ),
    ),
  );
  common(
    routes
      .command('approve <applicationId>')
      .option('--provider <provider>', 'builtin:<service>, remote:<url> or queue (default queue)'),
  ).action(
    run((ctx, actor, id: string, options: Common & { provider?: string }) =>
      ctx.registry.routeApplications.approve(
        actor('operator'),
        id,
        options.provider ? { provider: options.provider } : {},
      ),
    ),
  );
  common(routes.command('decline <applicationId>').requiredOption('-r, --reason <text>')).action(
    run((ctx, actor, id: string, options: Common & { reason: string }) =>
      ctx.registry.routeApplications.decline(actor('operator'), id, { reason: options.reason }),
    ),
  );

  const blocks = program
    .command('blocks')
    .description('requests to block a participant breaking the security rules, and their decisions');
  common(
    blocks
      .command('request <participantId>')
      .description('ask the authorised body to block a participant (operator)')
      .requiredOption('-r, --reason <text>', 'which security rules the participant broke'),
  ).action(
    run((ctx, actor, participantId: string, options: Common & { reason: string }) =>
      ctx.registry.blockRequests.request(actor('operator'), { participantId, reason: options.reason }),
    ),
  );
  common(
    blocks
      .command('list')
      .option('--status <status>', 'requested, approved, declined or lifted')
      .option('--participant <id>'),
  ).action(
    run((ctx, _actor, options: Common & { status?: string; participant?: string }) =>
      ctx.registry.blockRequests.list({
        ...(options.status ? { status: options.status } : {}),
        ...(options.participant ? { participantId: options.participant } : {}),
      }),
    ),
  );
  common(blocks.command('show <id>')).action(
    run((ctx, _actor, id: string) => ctx.registry.blockRequests.get(id)),
  );
  common(
    blocks
      .command('approve <id>')
      .description('approve a block request: the participant and its systems are blocked (authorised body)')
      .option('-r, --reason <text>'),
  ).action(
    run((ctx, actor, id: string, options: Common & { reason?: string }) =>
      ctx.registry.blockRequests.approve(
        actor('authority'),
        id,
        options.reason ? { reason: options.reason } : {},
      ),
    ),
  );
  common(
    blocks
      .command('decline <id>')
      .description('decline a block request (authorised body)')
      .requiredOption('-r, --reason <text>'),
  ).action(
    run((ctx, actor, id: string, options: Common & { reason: string }) =>
      ctx.registry.blockRequests.decline(actor('authority'), id, { reason: options.reason }),
    ),
  );
  common(
    blocks
      .command('lift <id>')
      .description('lift an approved block: the earlier states come back (authorised body)')
      .requiredOption('-r, --reason <text>'),
  ).action(
    run((ctx, actor, id: string, options: Common & { reason: string }) =>
      ctx.registry.blockRequests.lift(actor('authority'), id, { reason: options.reason }),
    ),
  );

  const books = program.command('books').description('reference books (spheres, connection points, ...)');
  common(books.command('list')).action(run((ctx) => ctx.registry.books.list()));
  common(
    books
      .command('show <book>')
      .option('--withdrawn', 'include withdrawn entries')
      .option('--version <n>', 'the book as it stood at this version'),
  ).action(
    run((ctx, _actor, book: string, options: Common & { withdrawn?: boolean; version?: string }) => {
      if (options.version === undefined)
        return ctx.registry.books.get(book, { withdrawn: options.withdrawn === true });
      if (!/^[1-9][0-9]{0,8}$/.test(options.version))
        throw new RegistryError('invalid', 'version: must be a positive whole number', 'version');
      return ctx.registry.books.at(book, Number(options.version));
    }),
  );
  common(
    books
      .command('set <book> <code>')
      .description('add or rename an entry (the book version goes up)')
      .requiredOption('--title <title>')
      .option('--withdraw', 'withdraw the entry'),
  ).action(
    run((ctx, actor, book: string, code: string, options: Common & { title: string; withdraw?: boolean }) =>
      ctx.registry.books.setEntry(actor('operator'), book, code, {
        title: options.title,
        active: options.withdraw !== true,
      }),
    ),
  );
}
