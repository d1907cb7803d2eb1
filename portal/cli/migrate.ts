// `npx foyer migrate`: the one command that may create the database.
import type { Command } from 'commander';
import { migrate } from '../store/migrate.ts';
import { ledgerMigrationSteps } from '../consent/head.ts';
import type { CliIo } from './with-context.ts';

export function migrateCommand(program: Command, { out, withContext }: CliIo): void {
  program
    .command('migrate')
    .description('apply database migrations')
    .action(() =>
      withContext(
        async (ctx) => {
          const applied = await migrate(ctx.db, ledgerMigrationSteps(ctx.keys));
          out.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
        },
        { create: true },
      ),
    );
}
