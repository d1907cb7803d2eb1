// Admin login sessions (not the guests' RADIUS sessions of access/): a random id in an
// HttpOnly cookie, only its hash in the store. A new id at every login; sliding expiry; "log out everywhere" deletes them all.
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/db.ts';
import { sha256 } from '../consent/event.ts';

export const SESSION_COOKIE = 'foyer_admin';
/** Idle time after which a session ends. */
export const IDLE_MS = 8 * 3600_000;
/** A session ends this long after login whatever happens. */
export const ABSOLUTE_MS = 7 * 86_400_000;

export interface AdminSession {
  idHash: string;
  adminId: string;
  createdAt: number;
  expiresAt: number;
}

export async function createSession(
  db: Queryable,
  adminId: string,
  meta: { ip?: string; userAgent?: string },
  now = Date.now(),
): Promise<{ id: string; idHash: string }> {
  const id = randomBytes(32).toString('base64url');
  const idHash = sha256(id);
  await db.run(
    'INSERT INTO admin_sessions (id_hash, admin_id, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [idHash, adminId, now, now, now + IDLE_MS, meta.ip ?? null, (meta.userAgent ?? '').slice(0, 300) || null],
  );
  return { id, idHash };
}

/** The live session for a cookie value, its expiry slid forward; undefined when unknown or expired. */
export async function findSession(db: Queryable, id: string, now = Date.now()): Promise<AdminSession | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
  const idHash = sha256(id);
  const r = await db.get<{ id_hash: string; admin_id: string; created_at: number; expires_at: number }>(
    'SELECT * FROM admin_sessions WHERE id_hash = ?',
    [idHash],
  );
  if (!r || r.expires_at <= now || r.created_at + ABSOLUTE_MS <= now) return undefined;
  // Write at most once a minute per session, not on every page.
  const expiresAt = now + IDLE_MS;
  if (expiresAt - r.expires_at > 60_000)
    await db.run('UPDATE admin_sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?', [
      now,
      expiresAt,
      idHash,
    ]);
  return { idHash, adminId: r.admin_id, createdAt: r.created_at, expiresAt };
}

export async function endSession(db: Queryable, idHash: string): Promise<void> {
  await db.run('DELETE FROM admin_sessions WHERE id_hash = ?', [idHash]);
}

export async function endAllSessions(db: Queryable, adminId: string): Promise<number> {
  return (await db.run('DELETE FROM admin_sessions WHERE admin_id = ?', [adminId])).changes;
}

export async function purgeExpiredSessions(db: Queryable, now = Date.now()): Promise<number> {
  return (await db.run('DELETE FROM admin_sessions WHERE expires_at <= ? OR created_at <= ?', [now, now - ABSOLUTE_MS]))
    .changes;
}
