// Counts from the ledger for the venue dashboard (admin/dashboard-stats.ts): aggregates
// only, no personal data.
import type { Queryable } from '../store/db.ts';

const DAY = 86_400_000;

/** Sign-ups (terms granted at the portal) per UTC day since `since`, keyed by day number (ms / DAY). */
export async function signupsPerDay(db: Queryable, venueId: string, since: number): Promise<Map<number, number>> {
  const rows = await db.all<{ d: number; n: number }>(
    `SELECT at / ${DAY} AS d, COUNT(*) AS n FROM consent_events
     WHERE venue_id = ? AND purpose = 'terms' AND decision = 'granted' AND channel = 'portal' AND at >= ? GROUP BY at / ${DAY}`,
    [venueId, since],
  );
  return new Map(rows.map((r) => [Number(r.d), Number(r.n)]));
}

/** Portal decisions on the optional purposes since `since`: how many of each (purpose, decision). */
export async function portalDecisionCounts(
  db: Queryable,
  venueId: string,
  since: number,
): Promise<{ purpose: string; decision: string; n: number }[]> {
  const rows = await db.all<{ purpose: string; decision: string; n: number }>(
    `SELECT purpose, decision, COUNT(*) AS n FROM consent_events
     WHERE venue_id = ? AND channel = 'portal' AND purpose <> 'terms' AND at >= ? GROUP BY purpose, decision`,
    [venueId, since],
  );
  return rows.map((r) => ({ purpose: r.purpose, decision: r.decision, n: Number(r.n) }));
}
