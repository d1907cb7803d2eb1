// `npx foyer consents export|evidence|suppression`: the records a venue hands over. The
// lists stream to standard output or a file, never held whole in memory.
import { createWriteStream, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { FoyerError } from '../errors.ts';
import { exportConsents } from '../consent/export.ts';
import { exportActiveSms, exportSuppression } from '../consent/lists.ts';
import { PURPOSES, type Purpose } from '../consent/event.ts';
import { consentEvidence } from '../consent/evidence.ts';
import { oneOf, venueBySlug, type CliIo } from './with-context.ts';

const dateArg = (v: string) => {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError('a date such as 2026-01-31 or 2026-01-31T12:00:00Z');
  return t;
};

const format = oneOf(['csv', 'json'], '--format');

export function consentCommands(program: Command, { out, withContext }: CliIo): void {
  const consents = program.command('consents').description('consent records');
  consents
    .command('export')
    .requiredOption('--venue <slug>')
    .requiredOption('--format <format>', 'csv|json', format)
    .option('--purpose <purpose>', PURPOSES.join('|'), oneOf(PURPOSES, '--purpose'))
    .option('--since <date>', 'only events at or after this date', dateArg)
    .option(
      '--active',
      'with --purpose sms: only numbers that may be sent offers now (latest decision granted, not suppressed)',
    )
    .option('--out <file>', 'write to a file instead of standard output')
    .action((o) =>
      withContext(async (ctx) => {
        const v = await venueBySlug(ctx, o.venue);
        if (o.active && o.purpose !== 'sms')
          throw new FoyerError('export_active_purpose', 400, '--active lists SMS offers consent: add --purpose sms');
        const rows = o.active
          ? exportActiveSms(ctx.db, ctx.cipher, v.id, o.format)
          : exportConsents(ctx.db, ctx.cipher, v.name, {
              venueId: v.id,
              format: o.format,
              purpose: o.purpose as Purpose | undefined,
              since: o.since,
            });
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
    .requiredOption('--format <format>', 'csv|json', format)
    .action((o) =>
      withContext(async (ctx) => {
        const v = await venueBySlug(ctx, o.venue);
        await pipeline(Readable.from(exportSuppression(ctx.db, v.id, o.format)), process.stdout, { end: false });
      }),
    );
}
