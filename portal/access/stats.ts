// Counts for the venue dashboard (admin/dashboard-stats.ts).
import type { Queryable } from '../store/db.ts';

/** Sessions of the venue's grants open now (not stopped, not stale). */
export async function activeSessionCount(db: Queryable, venueId: string, now: number): Promise<number> {
  const r = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM sessions s JOIN grants g ON g.id = s.grant_id WHERE g.venue_id = ? AND s.stopped_at IS NULL AND s.stale_at > ?`,
    [venueId, now],
  );
  return Number(r?.n ?? 0);
}
