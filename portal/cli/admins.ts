// `npx foyer admin add`: console accounts.
import type { Command } from 'commander';
import { addAdmin, ROLES } from '../accounts/accounts.ts';
import { oneOf, venueBySlug, type CliIo } from './with-context.ts';

export function adminCommands(program: Command, { out, withContext }: CliIo): void {
  program
    .command('admin')
    .description('admin accounts')
    .command('add')
    .requiredOption('--email <email>')
    .requiredOption('--password <password>', 'at least 12 characters')
    .requiredOption('--role <role>', ROLES.join('|'), oneOf(ROLES, '--role'))
    .option('--venue <slug...>', 'venue(s) an operator manages')
    .action((o) =>
      withContext(async (ctx) => {
        const venueIds = [];
        for (const slug of o.venue ?? []) venueIds.push((await venueBySlug(ctx, slug)).id);
        const a = await addAdmin(ctx.db, { email: o.email, password: o.password, role: o.role, venueIds });
        out.log(`admin added: ${a.email} (${a.role})`);
      }),
    );
}
