// `npx foyer sessions list|disconnect`: what is online, and ending one session by hand.
import type { Command } from 'commander';
import type { AppContext } from '../context.ts';
import { FoyerError } from '../errors.ts';
import { listNas } from './nas-clients.ts';
import { findSession, listSessions, type Session } from './sessions.ts';
import { disconnectSession, type Disconnector } from './disconnect.ts';

type Out = { log: (s: string) => void; err: (s: string) => void };
type WithContext = <T>(fn: (ctx: AppContext) => Promise<T>) => Promise<T>;

const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));
const mb = (octets: number) => (octets / 1024 / 1024).toFixed(1);

export function sessionCommands(program: Command, withContext: WithContext, out: Out, disconnector: (ctx: AppContext) => Disconnector): void {
  const sessions = program.command('sessions').description('RADIUS sessions (who is online)');

  sessions
    .command('list')
    .description('open sessions, newest first (--all: ended ones too)')
    .option('--all', 'include ended sessions')
    .option('--limit <n>', 'at most this many', '200')
    .action((o) =>
      withContext(async (ctx) => {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new FoyerError('limit_invalid', 400, '--limit must be a positive whole number');
        const nasNames = new Map((await listNas(ctx.db, ctx.cipher)).map((n) => [n.id, n.name]));
        const rows = await listSessions(ctx.db, { all: Boolean(o.all), limit });
        if (!rows.length) out.log(o.all ? 'no sessions' : 'no open sessions');
        else out.log(['id', 'nas', 'user', 'mac', 'ip', 'started', 'last update', 'ended', 'MB in', 'MB out', 'cause'].join('\t'));
        for (const s of rows) out.log(line(s, nasNames.get(s.nasId) ?? s.nasId));
      }),
    );

  sessions
    .command('disconnect <id>')
    .description('send the NAS a Disconnect-Request for one session (Foyer id or Acct-Session-Id)')
    .action((id: string) =>
      withContext(async (ctx) => {
        const s = await findSession(ctx.db, id);
        if (!s) throw new FoyerError('session_not_found', 404, `No session "${id}" (or that Acct-Session-Id names several). See: npx foyer sessions list`);
        if (s.stoppedAt !== null) throw new FoyerError('session_ended', 409, `Session ${s.id} already ended at ${iso(s.stoppedAt)}.`);
        const r = await disconnectSession({ ...ctx, disconnect: disconnector(ctx) }, s, 'admin');
        switch (r.result) {
          case 'ack':
            out.log(`disconnected: ${s.id} (the NAS acknowledged)`);
            break;
          case 'nak':
            throw new FoyerError('disconnect_refused', 502, `The NAS refused to disconnect ${s.id}${'errorCause' in r && r.errorCause !== undefined ? ` (Error-Cause ${r.errorCause})` : ''}.`);
          case 'timeout':
            throw new FoyerError('disconnect_timeout', 504, `The NAS did not answer the Disconnect-Request for ${s.id}; check its CoA port and that it accepts requests from this host.`);
          default:
            throw new FoyerError('nas_not_found', 404, `The NAS of session ${s.id} is no longer configured.`);
        }
      }),
    );
}

function line(s: Session, nas: string): string {
  return [s.id, nas, s.username ?? '-', s.mac ?? '-', s.framedIp ?? '-', iso(s.startedAt), iso(s.updatedAt), iso(s.stoppedAt), mb(s.inputOctets), mb(s.outputOctets), s.terminateCause ?? '-'].join('\t');
}
