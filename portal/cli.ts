// `npx foyer …`: the admin's command line. Each command validates its arguments,
// prints what it did, and exits non-zero with a message a person can act on.
import { Command, InvalidArgumentError } from 'commander';
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { loadConfig, ConfigError } from './config.ts';
import { createLogger } from './log.ts';
import { buildContext, type AppContext } from './context.ts';
import { FoyerError } from './errors.ts';
import { migrate } from './store/migrate.ts';
import { createVenue, findVenueBySlug, listVenues } from './venues/venues.ts';
import { addNas, listNas, removeNas, updateNasPortal, VENDORS } from './access/nas-clients.ts';
import { clearedInput, CLEARABLE, describePortal, portalInput, portalOptions } from './access-points/nas-cli.ts';
import { addAdmin, ROLES } from './accounts/accounts.ts';
import { verifyLedger } from './consent/verify.ts';
import { ledgerMigrationSteps } from './consent/head.ts';
import { exportConsents } from './consent/export.ts';
import { exportActiveSms, exportSuppression } from './consent/lists.ts';
import { PURPOSES, type Purpose } from './consent/event.ts';
import { consentEvidence } from './guest/evidence.ts';
import { sessionCommands } from './access/sessions-cli.ts';
import { coaDisconnector } from './access/coa.ts';

type Out = { log: (s: string) => void; err: (s: string) => void };

async function withContext<T>(fn: (ctx: AppContext) => Promise<T>, o: { create?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  // Only `migrate` makes a database: any other command finding none is pointed at the wrong
  // place (another DATA_DIR or DATABASE_URL), and a new empty one would only hide that.
  if (!o.create && config.databaseUrl.startsWith('/') && !existsSync(config.databaseUrl)) {
    throw new FoyerError('no_database', 400, `No database at ${config.databaseUrl}. Set DATABASE_URL or DATA_DIR to the one Foyer runs with, or create it with: npx foyer migrate`);
  }
  // A person at a terminal is told the database is unreachable; only the server waits for it.
  const ctx = await buildContext(config, createLogger(process.env.LOG_LEVEL ?? 'warn'), { waitForDatabase: false });
  try {
    return await fn(ctx);
  } finally {
    await ctx.db.close();
  }
}

async function venueBySlug(ctx: AppContext, slug: string) {
  const venue = await findVenueBySlug(ctx.db, slug);
  if (!venue) throw new FoyerError('venue_not_found', 404, `No venue with slug "${slug}". See: npx foyer venue list`);
  return venue;
}

const oneOf = (allowed: readonly string[], what: string) => (v: string) => {
  if (!allowed.includes(v)) throw new InvalidArgumentError(`${what} must be one of: ${allowed.join(', ')}`);
  return v;
};

const missingVendor = (slug: string): never => {
  throw new FoyerError('nas_vendor_missing', 400, `--vendor is required: venue "${slug}" has no default NAS vendor (${VENDORS.join('|')})`);
};

const dateArg = (v: string) => {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError('a date such as 2026-01-31 or 2026-01-31T12:00:00Z');
  return t;
};

export function buildCli(out: Out = { log: (s) => console.log(s), err: (s) => console.error(s) }): Command {
  const program = new Command('foyer').description('Foyer: guest Wi-Fi portal with verified SMS opt-in').showHelpAfterError();
  program.exitOverride();
  program.configureOutput({ writeOut: (s) => out.log(s.trimEnd()), writeErr: (s) => out.err(s.trimEnd()) });

  program
    .command('migrate')
    .description('apply database migrations')
    .action(() =>
      withContext(async (ctx) => {
        const applied = await migrate(ctx.db, ledgerMigrationSteps(ctx.keys));
        out.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      }, { create: true }),
    );

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

  const nas = program.command('nas').description('RADIUS clients (access points, controllers, gateways)');
  portalOptions(nas.command('add'))
    .requiredOption('--name <name>')
    .requiredOption('--ip <ip>', 'source address or CIDR the NAS sends RADIUS from')
    .option('--secret <secret>', 'shared secret (generated when omitted)')
    .option('--vendor <vendor>', `${VENDORS.join('|')} (default: the venue's NAS vendor setting)`, oneOf(VENDORS, '--vendor'))
    .requiredOption('--venue <slug>')
    .option('--allow-missing-message-authenticator', 'accept Access-Requests without Message-Authenticator (legacy equipment only)')
    .option('--coa-port <port>', 'Disconnect/CoA port on the NAS', '3799')
    .action((o) =>
      withContext(async (ctx) => {
        const v = await venueBySlug(ctx, o.venue);
        const n = await addNas(ctx.db, ctx.cipher, {
          name: o.name,
          address: o.ip,
          secret: o.secret,
          vendor: o.vendor ?? v.settings.nasVendor ?? missingVendor(v.slug),
          venueId: v.id,
          requireMessageAuthenticator: !o.allowMissingMessageAuthenticator,
          coaPort: Number(o.coaPort),
          ...portalInput(o),
        });
        out.log(`nas added: ${n.name} ${n.address} vendor ${n.vendor} venue ${v.slug}`);
        if (!o.secret) out.log(`shared secret (shown once, enter it on the NAS): ${n.secret.toString()}`);
      }),
    );
  nas.command('list').action(() =>
    withContext(async (ctx) => {
      const all = await listNas(ctx.db, ctx.cipher);
      if (!all.length) out.log('no NAS clients');
      for (const n of all) out.log(`${n.name}\t${n.address}\t${n.vendor}\tmessage-authenticator ${n.requireMessageAuthenticator ? 'required' : 'optional'}\tcoa ${n.coaPort}${describePortal(n) ? `\t${describePortal(n)}` : ''}`);
    }),
  );
  portalOptions(nas.command('set <name>').description('change what a NAS needs beyond RADIUS (portal settings)'))
    .option('--clear <setting>', `remove settings: ${CLEARABLE.join(', ')}; repeat or separate with commas`, (v: string, prev: string[] = []) => [...prev, ...v.split(',')])
    .action((name, o) =>
      withContext(async (ctx) => {
        const n = await updateNasPortal(ctx.db, ctx.cipher, name, { ...clearedInput(o.clear ?? []), ...portalInput(o) });
        if (!n) throw new FoyerError('nas_not_found', 404, `No NAS named "${name}". See: npx foyer nas list`);
        out.log(`nas updated: ${n.name}\t${describePortal(n) || 'no portal settings'}`);
      }),
    );
  nas
    .command('remove <name>')
    .action((name) =>
      withContext(async (ctx) => {
        if (!(await removeNas(ctx.db, name))) throw new FoyerError('nas_not_found', 404, `No NAS named "${name}". See: npx foyer nas list`);
        out.log(`nas removed: ${name}`);
      }),
    );

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
          out.err(`ledger BROKEN after ${r.count} good events: ${r.broken.id ? `event ${r.broken.id} (seq ${r.broken.seq})` : 'at the end'} ${r.broken.reason}`);
          process.exitCode = 1;
        }
      }),
    );

  const consents = program.command('consents').description('consent records');
  consents
    .command('export')
    .requiredOption('--venue <slug>')
    .requiredOption('--format <format>', 'csv|json', oneOf(['csv', 'json'], '--format'))
    .option('--purpose <purpose>', PURPOSES.join('|'), oneOf(PURPOSES, '--purpose'))
    .option('--since <date>', 'only events at or after this date', dateArg)
    .option('--active', 'with --purpose sms: only numbers that may be sent offers now (latest decision granted, not suppressed)')
    .option('--out <file>', 'write to a file instead of standard output')
    .action((o) =>
      withContext(async (ctx) => {
        const v = await venueBySlug(ctx, o.venue);
        if (o.active && o.purpose !== 'sms') throw new FoyerError('export_active_purpose', 400, '--active lists SMS offers consent: add --purpose sms');
        const rows = o.active
          ? exportActiveSms(ctx.db, ctx.cipher, v.id, o.format)
          : exportConsents(ctx.db, ctx.cipher, v.name, { venueId: v.id, format: o.format, purpose: o.purpose as Purpose | undefined, since: o.since });
        await pipeline(Readable.from(rows), o.out ? createWriteStream(o.out) : process.stdout, { end: Boolean(o.out) });
        if (o.out) out.err(`exported to ${o.out}`);
      }),
    );

  consents
    .command('evidence <eventId>')
    .description('the consent screen exactly as the guest of this event was served it (HTML)')
    .option('--out <file>', 'write to a file instead of standard output')
    .action((eventId, o) =>
      withContext(async (ctx) => {
        const { html, versionId } = await consentEvidence(ctx, eventId);
        if (o.out) {
          writeFileSync(o.out, html);
          out.err(`evidence for event ${eventId} (template version ${versionId}) written to ${o.out}`);
        } else process.stdout.write(html);
      }),
    );

  consents
    .command('suppression')
    .description('numbers (as keyed hashes) that must not be sent SMS offers: declined, withdrawn or invalid')
    .requiredOption('--venue <slug>')
    .requiredOption('--format <format>', 'csv|json', oneOf(['csv', 'json'], '--format'))
    .action((o) =>
      withContext(async (ctx) => {
        const v = await venueBySlug(ctx, o.venue);
        await pipeline(Readable.from(exportSuppression(ctx.db, v.id, o.format)), process.stdout, { end: false });
      }),
    );

  sessionCommands(program, withContext, out, () => coaDisconnector());

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
    if (c.code?.startsWith('commander.')) return c.code === 'commander.helpDisplayed' || c.code === 'commander.version' ? 0 : 2;
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
