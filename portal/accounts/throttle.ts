// Login throttling in the database (so every process sees it): per e-mail address and
// per client address. Too many failures in the window lock the key for a while, and
// the person is told for how long.
//
// An attempt is counted BEFORE its password is hashed (reserveAttempt), in one atomic
// upsert per key: counting after the slow hash let parallel attempts all pass the check
// before any was counted (40 guesses at once were all checked where 5 are allowed).
// A successful sign-in gives its reservation back (releaseAttempt).
import type { Db, Queryable } from '../store/db.ts';
import { tooMany } from '../errors.ts';

export const LIMITS = {
  email: { failures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  ip: { failures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
} as const;

type Kind = keyof typeof LIMITS;
type Keys = { email: string; ip: string };
const KINDS = ['email', 'ip'] as const;
const key = (kind: Kind, value: string) => `${kind}:${value.toLowerCase()}`;

const locked = (until: number, now: number) => {
  const seconds = Math.max(1, Math.ceil((until - now) / 1000));
  const minutes = Math.ceil(seconds / 60);
  return tooMany('admin_locked', `Too many failed sign-in attempts. Try again in ${minutes} minutes.`, {
    minutes,
    seconds,
  });
};

/**
 * Counts this attempt against both keys before the password is checked. Throws 429
 * admin_locked (counting nothing) when either key is locked or already has its
 * allowance of attempts in flight or failed. Returns the attempt's number per key.
 */
export async function reserveAttempt(db: Db, keys: Keys, now = Date.now()): Promise<Record<Kind, number>> {
  return db.tx(async (tx) => {
    const n = { email: 0, ip: 0 };
    for (const kind of KINDS) {
      const lim = LIMITS[kind];
      // A lock in force leaves the row as it is; a window that has run out, or a lock
      // that has ended, starts counting afresh; otherwise the count goes up by one.
      const stale = now - lim.windowMs;
      const r = await tx.get<{ failures: number; locked_until: number }>(
        `INSERT INTO admin_login_throttle AS t (key, failures, window_start, locked_until) VALUES (?, 1, ?, 0)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.locked_until > ? THEN t.failures
                           WHEN t.window_start < ? OR (t.locked_until <> 0 AND t.locked_until <= ?) THEN 1
                           ELSE t.failures + 1 END,
           window_start = CASE WHEN t.locked_until > ? THEN t.window_start
                               WHEN t.window_start < ? OR (t.locked_until <> 0 AND t.locked_until <= ?) THEN ?
                               ELSE t.window_start END,
           locked_until = CASE WHEN t.locked_until > ? THEN t.locked_until ELSE 0 END
         RETURNING failures, locked_until`,
        [key(kind, keys[kind]), now, now, stale, now, now, stale, now, now, now],
      );
      // Throwing rolls the other key's count back: a refused attempt counts nowhere.
      if (r!.locked_until > now) throw locked(r!.locked_until, now);
      if (r!.failures > lim.failures) throw locked(now + lim.lockMs, now);
      n[kind] = r!.failures;
    }
    return n;
  });
}

/** A reserved attempt failed: locks each key whose allowance it used up; true when it did. */
export async function recordFailure(
  db: Db,
  keys: Keys,
  attempt: Record<Kind, number>,
  now = Date.now(),
): Promise<boolean> {
  let lockedAny = false;
  for (const kind of KINDS) {
    if (attempt[kind] < LIMITS[kind].failures) continue;
    await db.run(
      'UPDATE admin_login_throttle SET locked_until = ?, window_start = ? WHERE key = ? AND locked_until <= ?',
      [now + LIMITS[kind].lockMs, now, key(kind, keys[kind]), now],
    );
    lockedAny = true;
  }
  return lockedAny;
}

/** A reserved attempt succeeded: the account starts afresh, the address gets its attempt back. */
export async function releaseAttempt(db: Db, keys: Keys): Promise<void> {
  await db.run('DELETE FROM admin_login_throttle WHERE key = ?', [key('email', keys.email)]);
  await db.run(
    'UPDATE admin_login_throttle SET failures = failures - 1 WHERE key = ? AND failures > 0 AND locked_until = 0',
    [key('ip', keys.ip)],
  );
}

/** Deletes rows whose window and lock have both run out: nothing they hold can count any more. */
export async function purgeOldThrottleRows(db: Queryable, now = Date.now()): Promise<number> {
  const keep = Math.max(LIMITS.email.windowMs, LIMITS.ip.windowMs, LIMITS.email.lockMs, LIMITS.ip.lockMs);
  return (
    await db.run('DELETE FROM admin_login_throttle WHERE window_start < ? AND locked_until < ?', [now - keep, now])
  ).changes;
}
