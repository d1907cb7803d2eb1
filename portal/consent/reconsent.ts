// Re-consent: when a venue publishes new wording for a purpose, consent given under the
// older wording stands for that wording only. A returning device is then not let in by
// MAC authentication; the NAS sends the guest to the portal, which asks again.
import type { Queryable } from '../store/db.ts';
import { findVenueById, type Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { LOCALES } from '../venues/settings.ts';
import { buildContent, consentTextHash } from './consent-page.ts';
import { portalConsents } from './agreed-wording.ts';

type Hashes = Record<string, string>;

const PURPOSES = ['terms', 'sms', 'email'] as const;

// The hash of each purpose's text as the portal shows it today, per venue, locale and
// published settings (their JSON is the key: nothing is rendered until the venue
// publishes something new).
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

const isLocale = (v: unknown): v is Locale => typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

/**
 * Purposes the grant's person agreed to at the portal under wording the venue has since
 * changed. Empty: nothing to ask again. Runs on the MAC-authentication path (its verdict
 * is cached with the grant): one query on the ledger, and the venue only when there is
 * a consent to compare.
 */
export async function outdatedConsents(db: Queryable, grant: { venueId: string; subjectId: string | null }): Promise<string[]> {
  if (!grant.subjectId) return [];
  const consents = await portalConsents(db, grant.venueId, grant.subjectId);
  if (!consents.some((c) => c.textHash && isLocale(c.locale))) return [];
  const venue = await findVenueById(db, grant.venueId);
  if (!venue) return [];
  return consents.filter((c) => c.textHash && isLocale(c.locale) && currentHashes(venue, c.locale)[c.purpose] !== c.textHash).map((c) => c.purpose);
}
