// The ledger read in order by whoever keeps something derived from people's consent (the
// RADIUS grant cache keeps re-consent verdicts: access/grant-changes.ts). Appends are
// serialised, so seq is the commit order and "past the last seq seen" misses nothing.
import type { Queryable } from '../store/db.ts';

/** The newest event's seq (0 for an empty ledger): where a reader that starts now begins. */
export async function latestConsentSeq(db: Queryable): Promise<number> {
  const r = await db.get<{ seq: number | string | null }>('SELECT MAX(seq) AS seq FROM consent_events');
  return Number(r?.seq ?? 0);
}

/** Whose consent changed where, in ledger order, after `seq`. */
export async function consentEventsAfter(db: Queryable, seq: number): Promise<{ seq: number; venueId: string; numberHash: string | null }[]> {
  const rows = await db.all<{ seq: number | string; venue_id: string; number_hash: string | null }>(
    'SELECT seq, venue_id, number_hash FROM consent_events WHERE seq > ? ORDER BY seq',
    [seq],
  );
  return rows.map((r) => ({ seq: Number(r.seq), venueId: r.venue_id, numberHash: r.number_hash }));
}
