// Limits for sessions already online: when an Interim-Update shows the grant's data cap
// used up, its time over (past a minute's grace for the NAS's own Session-Timeout) or
// the grant revoked, ask the NAS to end the session. One request per session.
import { grantStateById } from './grant-state.ts';
import { disconnectSession, type DisconnectDeps, type DisconnectReport } from './disconnect-request.ts';
import type { Session } from './sessions.ts';

const GRACE_MS = 60_000;

export async function enforceLimits(deps: DisconnectDeps, session: Session): Promise<DisconnectReport | undefined> {
  if (!session.grantId || session.stoppedAt !== null || session.disconnectAt !== null) return undefined;
  const now = deps.now();
  const g = await grantStateById(deps.db, session.grantId, now);
  if (!g) return undefined;
  const why =
    g.revokedAt !== null
      ? 'revoked'
      : g.dataCapBytes > 0 && g.usedOctets >= g.dataCapBytes
        ? 'data_used_up'
        : g.endsAt + GRACE_MS <= now
          ? 'expired'
          : undefined;
  if (!why) return undefined;
  return disconnectSession(deps, session, why, { once: true });
}
