// Codes are working state, not records: expired codes (with their encrypted copy) and
// sends older than the longest limit window (and their counts) are deleted (jobs/purge-verifications.ts).
// The ledger keeps the proof.
import type { Queryable } from '../store/db.ts';

/** A code is kept a little past its expiry so a late guest hears "expired", not "unknown". */
export const CODE_GRACE_MS = 60 * 60_000;
/** The longest limit window (a day), plus margin. */
export const SEND_LOG_MS = 25 * 3_600_000;

export async function purgeExpiredCodes(db: Queryable, now: number): Promise<number> {
  return (await db.run('DELETE FROM verifications WHERE expires_at < ?', [now - CODE_GRACE_MS])).changes;
}

/** Sends, and the minutes they were counted in (limits.ts), once no limit's window reaches them. */
export async function purgeOldSends(db: Queryable, now: number): Promise<number> {
  // A minute is kept while any of it is younger than SEND_LOG_MS.
  await db.run('DELETE FROM verification_counts WHERE bucket < ?', [Math.floor((now - SEND_LOG_MS) / 60_000)]);
  return (await db.run('DELETE FROM verification_sends WHERE at < ?', [now - SEND_LOG_MS])).changes;
}
