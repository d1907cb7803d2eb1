// Whose and where an open session is, for pages that show it in the venue's words: the
// venue (its grant's, else its NAS's: the same rule as liveSessions) gives the time zone,
// the grant's subject gives the person (consent/masked-numbers.ts). Kept beside
// liveSessions rather than in its SELECT so that list stays what the CLI and jobs read.
import type { Queryable } from '../store/db.ts';

export interface SessionLink {
  venueId: string | null;
  /** The person the session's grant was given to; null for a session without a Foyer grant. */
  subjectId: string | null;
}

export async function sessionLinks(db: Queryable, sessionIds: Iterable<string>): Promise<Map<string, SessionLink>> {
  const wanted = [...new Set(sessionIds)];
  if (!wanted.length) return new Map();
  const rows = await db.all<{ id: string; venue_id: string | null; subject_id: string | null }>(
    `SELECT s.id, COALESCE(g.venue_id, n.venue_id) AS venue_id, g.subject_id
     FROM sessions s LEFT JOIN grants g ON g.id = s.grant_id LEFT JOIN nas_clients n ON n.id = s.nas_id
     WHERE s.id IN (${wanted.map(() => '?').join(', ')})`,
    wanted,
  );
  return new Map(rows.map((r) => [r.id, { venueId: r.venue_id ?? null, subjectId: r.subject_id ?? null }]));
}
