// The ledger as a feed of whose consent changed, in commit order (appends are serialised,
// so seq is the commit order): access's grant change feed (access/grant-changes.ts) reads
// it about once a second to drop the cached grants of each person named.
import type { Queryable } from '../store/db.ts';

/** The seq of the last event on the ledger (0 when empty): where a new reader starts. */
export async function latestConsentSeq(db: Queryable): Promise<number> {
  const r = await db.get<{ seq: number | string | null }>('SELECT MAX(seq) AS seq FROM consent_events');
  return Number(r?.seq ?? 0);
}

/**
 * The events after `afterSeq`, in order, each with the venue and subject it concerns (the
 * subject by (venue, number hash): a STOP by SMS names no subject of its own). Null when
 * the number has no subject at the venue, so no grant either.
 */
export async function consentChangesAfter(db: Queryable, afterSeq: number): Promise<{ seq: number; venueId: string; subjectId: string | null }[]> {
  const rows = await db.all<{ seq: number | string; venue_id: string; subject_id: string | null }>(
    `SELECT e.seq, e.venue_id, s.id AS subject_id FROM consent_events e
     LEFT JOIN subjects s ON s.venue_id = e.venue_id AND s.number_hash = e.number_hash
     WHERE e.seq > ? ORDER BY e.seq`,
    [afterSeq],
  );
  return rows.map((r) => ({ seq: Number(r.seq), venueId: r.venue_id, subjectId: r.subject_id ?? null }));
}
