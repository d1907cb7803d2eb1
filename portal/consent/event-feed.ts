// The ledger read in order by whoever keeps something derived from people's consent (the
// RADIUS grant cache keeps re-consent verdicts: access/grant-changes.ts). Appends are
// serialised, so seq is the commit order and "past the last seq seen" misses nothing.
import type { Queryable } from '../store/db.ts';

/** The newest event's seq (0 for an empty ledger): where a reader that starts now begins. */
export async function latestConsentSeq(db: Queryable): Promise<number> {
  const r = await db.get<{ seq: number | string | null }>('SELECT MAX(seq) AS seq FROM consent_events');
  return Number(r?.seq ?? 0);
}

/**
 * Whose consent changed, in ledger order, after `seq`: the subject (one per venue and
 * number) each event concerns, or null when the venue has none for that number.
 */
export async function consentEventsAfter(
  db: Queryable,
  seq: number,
): Promise<{ seq: number; subjectId: string | null }[]> {
  const rows = await db.all<{ seq: number | string; subject_id: string | null }>(
    `SELECT e.seq, s.id AS subject_id FROM consent_events e
     LEFT JOIN subjects s ON s.venue_id = e.venue_id AND s.number_hash = e.number_hash
     WHERE e.seq > ? ORDER BY e.seq`,
    [seq],
  );
  return rows.map((r) => ({ seq: Number(r.seq), subjectId: r.subject_id }));
}
