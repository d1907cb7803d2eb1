// Re-consent: when a venue publishes new wording for a purpose, consent given under the
// older wording stands for that wording only. A returning device is then not let in by
// MAC authentication; the NAS sends the guest to the portal, which asks again.
import type { Queryable } from '../store/db.ts';
import { findVenueById } from '../venues/venues.ts';
import { LOCALES, type Locale } from '../venues/settings.ts';
import type { Purpose } from './event.ts';
import type { ConsentPages } from './consent-page.ts';
import { portalConsents } from './agreed-wording.ts';

const isLocale = (v: unknown): v is Locale => typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

/**
 * Purposes the grant's person agreed to at the portal under wording the venue has since
 * changed. Empty: nothing to ask again. Runs on the MAC-authentication path (its verdict
 * is cached with the grant): one query on the ledger, and the venue only when there is
 * a consent to compare; today's wording comes from the consent pages' memo.
 */
export async function outdatedConsents(
  app: { db: Queryable; consentPages: ConsentPages },
  grant: { venueId: string; subjectId: string | null },
): Promise<string[]> {
  if (!grant.subjectId) return [];
  const consents = await portalConsents(app.db, grant.venueId, grant.subjectId);
  if (!consents.some((c) => c.textHash && isLocale(c.locale))) return [];
  const venue = await findVenueById(app.db, grant.venueId);
  if (!venue) return [];
  return consents
    .filter(
      (c) =>
        c.textHash &&
        isLocale(c.locale) &&
        !app.consentPages.stillAgreed(venue, c.locale, c.purpose as Purpose, c.textHash),
    )
    .map((c) => c.purpose);
}
