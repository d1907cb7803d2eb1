// Login throttling in the database (so every process sees it): per e-mail address and
// per client address. Too many failures in the window lock the key for a while, and
// the person is told for how long.
import type { Db } from '../store/db.ts';
import { tooMany } from '../errors.ts';

export const LIMITS = {
  email: { failures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  ip: { failures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
} as const;

type Kind = keyof typeof LIMITS;
const key = (kind: Kind, value: string) => `${kind}:${value.toLowerCase()}`;

/** Throws 429 admin_locked with the minutes left when either key is locked. */
export async function assertNotLocked(db: Db, keys: { email: string; ip: string }, now = Date.now()): Promise<void> {
  for (const kind of ['email', 'ip'] as const) {
    const r = await db.get<{ locked_until: number }>('SELECT locked_until FROM admin_login_throttle WHERE key = ?', [key(kind, keys[kind])]);
    if (r && r.locked_until > now) {
      const seconds = Math.ceil((r.locked_until - now) / 1000);
      throw tooMany('admin_locked', `Too many failed sign-in attempts. Try again in ${Math.ceil(seconds / 60)} minutes.`, { minutes: Math.ceil(seconds / 60), seconds });
    }
  }
}

/** Counts a failure; returns true when it locked a key. */
export async function recordFailure(db: Db, keys: { email: string; ip: string }, now = Date.now()): Promise<boolean> {
  let locked = false;
  await db.tx(async (tx) => {
    for (const kind of ['email', 'ip'] as const) {
      const k = key(kind, keys[kind]);
      const lim = LIMITS[kind];
      const r = await tx.get<{ failures: number; window_start: number }>('SELECT failures, window_start FROM admin_login_throttle WHERE key = ?', [k]);
      const fresh = !r || now - r.window_start > lim.windowMs;
      const failures = fresh ? 1 : r.failures + 1;
      const lockedUntil = failures >= lim.failures ? now + lim.lockMs : 0;
      if (lockedUntil) locked = true;
      await tx.run(
        `INSERT INTO admin_login_throttle (key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until`,
        [k, lockedUntil ? 0 : failures, fresh || lockedUntil ? now : r.window_start, lockedUntil],
      );
    }
  });
  return locked;
}

export async function clearFailures(db: Db, email: string): Promise<void> {
  await db.run('DELETE FROM admin_login_throttle WHERE key = ?', [key('email', email)]);
}
