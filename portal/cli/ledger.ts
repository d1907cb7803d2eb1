// `npx foyer ledger verify`: exit 1 naming the first broken event.
import type { Command } from 'commander';
import { verifyLedger } from '../consent/verify.ts';
import type { CliIo } from './with-context.ts';

export function ledgerCommands(program: Command, { out, withContext }: CliIo): void {
  program
    .command('ledger')
    .description('the consent ledger')
    .command('verify')
    .description('walk the hash chain; exit 1 and name the first broken event if any')
    .action(() =>
      withContext(async (ctx) => {
        const r = await verifyLedger(ctx.db, ctx.keys);
        if (r.ok) {
          out.log(`ledger intact: ${r.count} events`);
          for (const note of r.notes ?? []) out.log(`note: ${note}`);
        } else {
          out.err(
            `ledger BROKEN after ${r.count} good events: ${r.broken.id ? `event ${r.broken.id} (seq ${r.broken.seq})` : 'at the end'} ${r.broken.reason}`,
          );
          process.exitCode = 1;
        }
      }),
    );
}
