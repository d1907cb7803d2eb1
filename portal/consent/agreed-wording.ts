// Under which wording a person agreed at the portal: the consent side of the question
// re-consent asks (consent/reconsent.ts). Who a change of wording affects: agreeing-subjects.ts.
import type { Queryable } from '../store/db.ts';

/** The subject's standing portal consents: each granted purpose with the language and text hash it was given under. */
export async function portalConsents(
  db: Queryable,
  venueId: string,
  subjectId: string,
): Promise<{ purpose: string; locale: string | null; textHash: string | null }[]> {
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
