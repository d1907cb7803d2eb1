// `npx foyer venue add|list`.
import type { Command } from 'commander';
import { createVenue, listVenues } from '../venues/venues.ts';
import type { CliIo } from './with-context.ts';

export function venueCommands(program: Command, { out, withContext }: CliIo): void {
  const venue = program.command('venue').description('venues');
  venue
    .command('add')
    .requiredOption('--slug <slug>', 'URL name, e.g. cafe-central')
    .requiredOption('--name <name>', 'display name')
    .option('--country <cc>', 'ISO country code for phone numbers', 'BG')
    .action((o) =>
      withContext(async (ctx) => {
        const v = await createVenue(ctx.db, { slug: o.slug, name: o.name, country: o.country });
        out.log(`venue added: ${v.slug} (${v.name}, ${v.country}) id ${v.id}`);
      }),
    );
  venue.command('list').action(() =>
    withContext(async (ctx) => {
      const all = await listVenues(ctx.db);
      if (!all.length) out.log('no venues');
      for (const v of all) out.log(`${v.slug}\t${v.name}\t${v.country}\t${v.id}`);
    }),
  );
}
