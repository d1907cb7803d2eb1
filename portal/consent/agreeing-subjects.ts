// Who at a venue stands on a portal consent given under some (purpose, language) texts:
// the people a change of that wording will ask again (venues/publish-impact.ts, through
// access's count of their remembered devices).
import type { Queryable } from '../store/db.ts';

/** Subjects of the venue whose current decision for one of `changed`'s purposes is a grant at the portal in that language. */
export async function subjectsAgreeingAtPortal(
  db: Queryable,
  venueId: string,
  changed: { purpose: string; locale: string }[],
): Promise<Set<string>> {
  if (!changed.length) return new Set();
  // Placeholders only: one (purpose, locale) pair per changed text.
  const pairsSql = changed.map(() => '(c.purpose = ? AND e.locale = ?)').join(' OR ');
  const rows = await db.all<{ id: string }>(
    `SELECT DISTINCT s.id FROM subjects s
     JOIN consent_state c ON c.venue_id = s.venue_id AND c.number_hash = s.number_hash AND c.decision = 'granted'
     JOIN consent_events e ON e.id = c.event_id AND e.channel = 'portal'
     WHERE s.venue_id = ? AND (${pairsSql})`,
    [venueId, ...changed.flatMap((c) => [c.purpose, c.locale])],
  );
  return new Set(rows.map((r) => r.id));
}
