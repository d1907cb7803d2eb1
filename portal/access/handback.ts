// What the guest pages need to know about a grant when handing a guest back to the NAS
// (the answer that carried the hand-back may have been lost): is the grant still waiting
// for the NAS's first session, and with which credentials.
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';

/** A live, unrevoked grant the NAS has not started a session with yet. */
export async function grantAwaitingFirstSession(db: Queryable, grantId: string, now: number): Promise<boolean> {
  const r = await db.get(
    `SELECT 1 AS pending FROM grants g
     WHERE g.id = ? AND g.ends_at > ? AND g.revoked_at IS NULL AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.grant_id = g.id)`,
    [grantId, now],
  );
  return Boolean(r);
}

/**
 * The time left on a grant and, while the NAS has started no session with it, its
 * credentials to hand back again (in one read). Unknown grant: nothing left.
 */
export async function handbackGrant(
  db: Queryable,
  cipher: FieldCipher,
  grantId: string,
  now: number,
): Promise<{ leftMs: number; credentials?: { username: string; password: string } }> {
  const g = await db.get<{ ends_at: number; username: string; password_enc: string; started: number | boolean }>(
    'SELECT ends_at, username, password_enc, EXISTS (SELECT 1 FROM sessions s WHERE s.grant_id = g.id) AS started FROM grants g WHERE g.id = ?',
    [grantId],
  );
  const leftMs = Math.max(0, Number(g?.ends_at ?? 0) - now);
  if (!g || leftMs <= 0 || g.started) return { leftMs };
  return { leftMs, credentials: { username: g.username, password: cipher.decrypt(g.password_enc) } };
}
