// Re-consent: when a venue publishes new wording for a purpose, consent given under the
// older wording stands for that wording only. A returning device is then not let in by
// MAC authentication; the NAS sends the guest to the portal, which asks again.
import type { Queryable } from '../store/db.ts';
import { venueFromRow, type VenueRow } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { isLocale } from '../http/i18n.ts';
import { buildContent, consentTextHash } from './consent-page.ts';

type Hashes = Record<string, string>;

const PURPOSES = ['terms', 'sms', 'email'] as const;

// The hash of each purpose's text as the portal shows it today, per venue, locale and
// published settings (their stored JSON is the key: nothing is parsed or rendered until
// the venue publishes something new).
const memo = new Map<string, Hashes>();

function currentHashes(row: VenueRow, locale: Locale): Hashes {
  const key = `${row.id}|${locale}|${row.name}|${row.settings}`;
  let h = memo.get(key);
  if (!h) {
    const content = buildContent(venueFromRow(row), locale);
    h = Object.fromEntries(PURPOSES.map((p) => [p, consentTextHash(content, p)]));
    if (memo.size > 500) memo.clear();
    memo.set(key, h);
  }
  return h;
}

/**
 * Purposes the grant's person agreed to at the portal under wording the venue has since
 * changed. Empty: nothing to ask again. One query; runs on the MAC-authentication path.
 */
export async function outdatedConsents(db: Queryable, grantId: string): Promise<string[]> {
  const rows = await db.all<VenueRow & { purpose: string; locale: string | null; text_hash: string | null }>(
    `SELECT v.id, v.slug, v.name, v.country, v.settings, v.created_at, c.purpose, e.locale, e.text_hash
     FROM grants g
     JOIN venues v ON v.id = g.venue_id
     JOIN subjects s ON s.id = g.subject_id
     JOIN consent_state c ON c.venue_id = g.venue_id AND c.number_hash = s.number_hash
     JOIN consent_events e ON e.id = c.event_id
     WHERE g.id = ? AND c.decision = 'granted' AND e.channel = 'portal'`,
    [grantId],
  );
  return rows
    .filter((r) => r.text_hash && isLocale(r.locale) && currentHashes(r, r.locale)[r.purpose] !== r.text_hash)
    .map((r) => r.purpose);
}
