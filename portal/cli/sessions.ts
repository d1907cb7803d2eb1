// `npx foyer sessions list|disconnect`: what is online, and ending one session by hand
// (admin/end-session.ts: block by default, --only, --revoke; audited as `cli:<user>`).
import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { FoyerError } from '../errors.ts';
import { listNas } from '../access/nas-clients.ts';
import { findSession, listSessions, type Session } from '../access/sessions.ts';
import type { Disconnector } from '../access/disconnect-request.ts';
import { userInfo } from 'node:os';
import { DEFAULT_BLOCK_HOURS, endSession, parseEndRequest } from '../admin/end-session.ts';
import type { CliIo } from './with-context.ts';

const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));
const mb = (octets: number) => (octets / 1024 / 1024).toFixed(1);

export function sessionCommands(
  program: Command,
  { out, withContext }: CliIo,
  disconnector: (ctx: AppContext) => Disconnector,
): void {
  const sessions = program.command('sessions').description('RADIUS sessions (who is online)');

  sessions
    .command('list')
    .description('open sessions, newest first (--all: ended ones too)')
    .option('--all', 'include ended sessions')
    .option('--limit <n>', 'at most this many', '200')
    .action((o) =>
      withContext(async (ctx) => {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new FoyerError('limit_invalid', 400, '--limit must be a positive whole number');
        const nasNames = new Map((await listNas(ctx.db, ctx.cipher)).map((n) => [n.id, n.name]));
        const rows = await listSessions(ctx.db, { all: Boolean(o.all), limit });
        if (!rows.length) out.log(o.all ? 'no sessions' : 'no open sessions');
        else
          out.log(
            ['id', 'nas', 'user', 'mac', 'ip', 'started', 'last update', 'ended', 'MB in', 'MB out', 'cause'].join(
              '\t',
            ),
          );
        for (const s of rows) out.log(line(s, nasNames.get(s.nasId) ?? s.nasId));
      }),
    );

  sessions
    .command('disconnect <id>')
    .description(
      `end one session (Foyer id or Acct-Session-Id): by default disconnect it and block the device at its venue for ${DEFAULT_BLOCK_HOURS} h`,
    )
    .option('--block-hours <n>', 'block the device for this many hours', String(DEFAULT_BLOCK_HOURS))
    .option('--only', 'disconnect only: the device may sign in again at once')
    .option(
      '--revoke',
      "revoke the guest's access: every session of the grant ends and its credentials and MAC authentication are refused",
    )
    .action((id: string, o: { blockHours: string; only?: boolean; revoke?: boolean }, cmd: Command) =>
      withContext(async (ctx) => {
        if (o.only && o.revoke) throw new FoyerError('end_action_invalid', 400, 'Choose one of --only and --revoke.');
        const hoursGiven = cmd.getOptionValueSource('blockHours') === 'cli';
        if (hoursGiven && (o.only || o.revoke))
          throw new FoyerError(
            'end_action_invalid',
            400,
            '--block-hours goes with blocking, not with --only or --revoke.',
          );
        const req = parseEndRequest(
          o.only
            ? { action: 'disconnect' }
            : o.revoke
              ? { action: 'revoke' }
              : { action: hoursGiven ? 'block' : undefined, hours: o.blockHours },
        );
        const s = await findSession(ctx.db, id);
        if (!s)
          throw new FoyerError(
            'session_not_found',
            404,
            `No session "${id}" (or that Acct-Session-Id names several). See: npx foyer sessions list`,
          );
        if (s.stoppedAt !== null && req.action === 'disconnect')
          throw new FoyerError('session_ended', 409, `Session ${s.id} already ended at ${iso(s.stoppedAt)}.`);
        const r = await endSession(
          ctx,
          disconnector(ctx),
          { id: null, email: `cli:${userInfo().username}`, ip: 'local' },
          s.id,
          req,
        );
        if (r.block) out.log(`blocked: ${r.block.mac} at this venue until ${iso(r.block.untilAt)}`);
        if (r.action === 'revoke')
          out.log(`revoked: grant ${r.session.grantId} (${r.others ?? 0} open sessions sent a Disconnect-Request)`);
        if (r.action === 'disconnect' && req.action === 'block')
          out.log('this session has no device address (MAC) to block: disconnecting only');
        const d = r.disconnect;
        if (!d) return out.log(`session ${s.id} had already ended: nothing sent to the NAS`);
        switch (d.result) {
          case 'ack':
            out.log(`disconnected: ${s.id} (the NAS acknowledged)`);
            break;
          case 'nak':
            throw new FoyerError(
              'disconnect_refused',
              502,
              `The NAS refused to disconnect ${s.id}${'errorCause' in d && d.errorCause !== undefined ? ` (Error-Cause ${d.errorCause})` : ''}.`,
            );
          case 'timeout':
            throw new FoyerError(
              'disconnect_timeout',
              504,
              `The NAS did not answer the Disconnect-Request for ${s.id}; check its CoA port and that it accepts requests from this host.`,
            );
          default:
            throw new FoyerError('nas_not_found', 404, `The NAS of session ${s.id} is no longer configured.`);
        }
      }),
    );
}

function line(s: Session, nas: string): string {
  return [
    s.id,
    nas,
    s.username ?? '-',
    s.mac ?? '-',
    s.framedIp ?? '-',
    iso(s.startedAt),
    iso(s.updatedAt),
    iso(s.stoppedAt),
    mb(s.inputOctets),
    mb(s.outputOctets),
    s.terminateCause ?? '-',
  ].join('\t');
}
