// Who agreed at the portal, and under which wording: the consent side of the questions
// re-consent asks (consent/reconsent.ts) and of a publish's impact (which remembered
// devices a change of wording sends back to the portal: access/grants.ts).
import type { Queryable } from '../store/db.ts';

// Subject ids per statement: SQLite takes at most 32,766 parameters.
const CHUNK = 500;

/**
 * Of these subjects of the venue, those whose latest decision for one of these purposes
 * is granted, given at the portal in the paired language.
 */
export async function subjectsAgreeing(db: Queryable, venueId: string, subjectIds: string[], changed: { purpose: string; locale: string }[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (!changed.length) return out;
  // Placeholders only: one (purpose, locale) pair per changed text.
  const pairsSql = changed.map(() => '(c.purpose = ? AND e.locale = ?)').join(' OR ');
  const ids = [...new Set(subjectIds)];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const rows = await db.all<{ id: string }>(
      `SELECT DISTINCT s.id FROM subjects s
       JOIN consent_state c ON c.venue_id = s.venue_id AND c.number_hash = s.number_hash AND c.decision = 'granted'
       JOIN consent_events e ON e.id = c.event_id AND e.channel = 'portal'
       WHERE s.venue_id = ? AND s.id IN (${part.map(() => '?').join(', ')}) AND (${pairsSql})`,
      [venueId, ...part, ...changed.flatMap((c) => [c.purpose, c.locale])],
    );
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/** The subject's standing portal consents: each granted purpose with the language and text hash it was given under. */
export async function portalConsents(db: Queryable, venueId: string, subjectId: string): Promise<{ purpose: string; locale: string | null; textHash: string | null }[]> {
  const rows = await db.all<{ purpose: string; locale: string | null; text_hash: string | null }>(
    `SELECT c.purpose, e.locale, e.text_hash
     FROM subjects s
     JOIN consent_state c ON c.venue_id = s.venue_id AND c.number_hash = s.number_hash
     JOIN consent_events e ON e.id = c.event_id
     WHERE s.id = ? AND s.venue_id = ? AND c.decision = 'granted' AND e.channel = 'portal'`,
    [subjectId, venueId],
  );
  return rows.map((r) => ({ purpose: r.purpose, locale: r.locale, textHash: r.text_hash }));
}
