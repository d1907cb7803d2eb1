// `npx foyer nas add|list|set|remove`: RADIUS clients and what they need beyond RADIUS
// (the portal options are declared once in nas-options.ts).
import type { Command } from 'commander';
import { FoyerError } from '../errors.ts';
import { addNas, listNas, removeNas, updateNasPortal } from '../access/nas-clients.ts';
import { VENDORS } from '../access-points/registry.ts';
import { clearedInput, CLEARABLE, describePortal, portalInput, portalOptions } from './nas-options.ts';
import { oneOf, venueBySlug, type CliIo } from './with-context.ts';

const missingVendor = (slug: string): never => {
  throw new FoyerError(
    'nas_vendor_missing',
    400,
    `--vendor is required: venue "${slug}" has no default NAS vendor (${VENDORS.join('|')})`,
  );
};

const noSuchNas = (name: string) =>
  new FoyerError('nas_not_found', 404, `No NAS named "${name}". See: npx foyer nas list`);

export function nasCommands(program: Command, { out, withContext }: CliIo): void {
  const nas = program.command('nas').description('RADIUS clients (access points, controllers, gateways)');
  portalOptions(nas.command('add'))
    .requiredOption('--name <name>')
    .requiredOption('--ip <ip>', 'source address or CIDR the NAS sends RADIUS from')
    .option('--secret <secret>', 'shared secret (generated when omitted)')
    .option(
      '--vendor <vendor>',
      `${VENDORS.join('|')} (default: the venue's NAS vendor setting)`,
      oneOf(VENDORS, '--vendor'),
    )
    .requiredOption('--venue <slug>')
    .option(
      '--allow-missing-message-authenticator',
      'accept Access-Requests without Message-Authenticator (legacy equipment only)',
    )
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
      for (const n of all)
        out.log(
          `${n.name}\t${n.address}\t${n.vendor}\tmessage-authenticator ${n.requireMessageAuthenticator ? 'required' : 'optional'}\tcoa ${n.coaPort}${describePortal(n) ? `\t${describePortal(n)}` : ''}`,
        );
    }),
  );
  portalOptions(nas.command('set <name>').description('change what a NAS needs beyond RADIUS (portal settings)'))
    .option(
      '--clear <setting>',
      `remove settings: ${CLEARABLE.join(', ')}; repeat or separate with commas`,
      (v: string, prev: string[] = []) => [...prev, ...v.split(',')],
    )
    .action((name, o) =>
      withContext(async (ctx) => {
        const n = await updateNasPortal(ctx.db, ctx.cipher, name, {
          ...clearedInput(o.clear ?? []),
          ...portalInput(o),
        });
        if (!n) throw noSuchNas(name);
        out.log(`nas updated: ${n.name}\t${describePortal(n) || 'no portal settings'}`);
      }),
    );
  nas.command('remove <name>').action((name) =>
    withContext(async (ctx) => {
      if (!(await removeNas(ctx.db, name))) throw noSuchNas(name);
      out.log(`nas removed: ${name}`);
    }),
  );
}
