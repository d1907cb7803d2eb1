// `npx foyer …`: the admin's command line. Each command group has its file here; each
// command parses its arguments, calls a capability, prints what it did, and exits non-zero
// with a message a person can act on (2: bad input, 1: anything else).
import { Command } from 'commander';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config.ts';
import { FoyerError } from '../errors.ts';
import { coaDisconnector } from '../access/coa.ts';
import { withContext, type Out } from './with-context.ts';
import { migrateCommand } from './migrate.ts';
import { venueCommands } from './venues.ts';
import { nasCommands } from './nas.ts';
import { adminCommands } from './admins.ts';
import { ledgerCommands } from './ledger.ts';
import { consentCommands } from './consents.ts';
import { sessionCommands } from './sessions.ts';

export function buildCli(out: Out = { log: (s) => console.log(s), err: (s) => console.error(s) }): Command {
  const program = new Command('foyer')
    .description('Foyer: guest Wi-Fi portal with verified SMS opt-in')
    .showHelpAfterError();
  program.exitOverride();
  program.configureOutput({ writeOut: (s) => out.log(s.trimEnd()), writeErr: (s) => out.err(s.trimEnd()) });

  const io = { out, withContext };
  migrateCommand(program, io);
  venueCommands(program, io);
  nasCommands(program, io);
  adminCommands(program, io);
  ledgerCommands(program, io);
  consentCommands(program, io);
  sessionCommands(program, io, () => coaDisconnector());
  return program;
}

export async function runCli(argv: string[], out?: Out): Promise<number> {
  const program = buildCli(out);
  const err = out?.err ?? ((s: string) => console.error(s));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    const c = e as { code?: string; exitCode?: number };
    if (c.code?.startsWith('commander.'))
      return c.code === 'commander.helpDisplayed' || c.code === 'commander.version' ? 0 : 2;
    if (e instanceof ConfigError) err(e.message);
    else if (e instanceof FoyerError) err(`error: ${e.message}`);
    else err(`error: ${(e as Error).message}`);
    return e instanceof FoyerError && e.status < 500 ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await runCli(process.argv.slice(2));
  process.exit(code);
}
