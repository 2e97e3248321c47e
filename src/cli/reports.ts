/** Report commands: the use of social cards per connection point over a period, as a table, JSON or CSV. */
import type { Command } from 'commander';
import { CardUseQuery, cardUseCsv, cardUseReport } from '../reports/card-use.js';
import { parseInput } from '../registry/inputs.js';
import { printText } from './output.js';
import { common, run, type Common } from './registry.js';

export function registerReportCommands(program: Command): void {
  const reports = program.command('reports').description('reports for the operator');
  common(
    reports
      .command('cards')
      .description('cards connected, blocked, unblocked and deregistered per connection point')
      .requiredOption('--from <time>', 'ISO 8601 time, inclusive')
      .requiredOption('--to <time>', 'ISO 8601 time, exclusive')
      .option('--csv', 'print CSV'),
  ).action(
    run(async (ctx, _actor, options: Common & { from: string; to: string; csv?: boolean }) => {
      const query = parseInput(CardUseQuery, { from: options.from, to: options.to });
      const rows = await cardUseReport(ctx.store, { from: new Date(query.from), to: new Date(query.to) });
      if (!options.csv) return rows;
      printText(cardUseCsv(rows));
      return undefined;
    }),
  );
}
