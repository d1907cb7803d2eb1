// Re-consent: when a venue publishes new wording for a purpose, consent given under the
// older wording stands for that wording only. A returning device is then not let in by
// MAC authentication; the NAS sends the guest to the portal, which asks again.
import type { Queryable } from '../store/db.ts';
import { findVenueById, type Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { buildContent, consentTextHash } from './consent-page.ts';

type Hashes = Record<string, string>;

const PURPOSES = ['terms', 'sms', 'email'] as const;

/** The hash of each purpose's text as the portal shows it today, per locale; memoised per published settings. */
const memo = new Map<string, Hashes>();
function currentHashes(venue: Venue, locale: Locale): Hashes {
  const key = `${venue.id}|${locale}|${venue.name}|${JSON.stringify(venue.settings)}`;
  let h = memo.get(key);
  if (!h) {
    const content = buildContent(venue, locale);
    h = Object.fromEntries(PURPOSES.map((p) => [p, consentTextHash(content, p)]));
    if (memo.size > 500) memo.clear();
    memo.set(key, h);
  }
  return h;
}

/**
 * Purposes the grant's person agreed to at the portal under wording the venue has since
 * changed. Empty: nothing to ask again.
 */
export async function outdatedConsents(db: Queryable, grantId: string): Promise<string[]> {
  const rows = await db.all<{ venue_id: string; purpose: string; locale: string | null; text_hash: string | null }>(
    `SELECT c.venue_id, c.purpose, e.locale, e.text_hash
     FROM grants g
     JOIN subjects s ON s.id = g.subject_id
     JOIN consent_state c ON c.venue_id = g.venue_id AND c.number_hash = s.number_hash
     JOIN consent_events e ON e.id = c.event_id
     WHERE g.id = ? AND c.decision = 'granted' AND e.channel = 'portal'`,
    [grantId],
  );
  if (!rows.length) return [];
  const venue = await findVenueById(db, rows[0].venue_id);
  if (!venue) return [];
  return rows
    .filter((r) => r.text_hash && r.locale && venue.settings.locales.includes(r.locale as Locale))
    .filter((r) => currentHashes(venue, r.locale as Locale)[r.purpose] !== r.text_hash)
    .map((r) => r.purpose);
}
