// A number's SMS-offers consent across venues, as inbound keywords need it (STOP, START,
// HELP): from consent_state (one row per venue, number and purpose, kept in step with the
// ledger by appendEvents) and, for the history, the ledger itself.
import type { Queryable } from '../store/db.ts';
import type { Locale } from '../venues/settings.ts';

/** Venues whose SMS offers this number currently receives, the most recent consent first. */
export async function venuesSendingOffers(db: Queryable, hash: string): Promise<string[]> {
  const rows = await db.all<{ venue_id: string }>(
    `SELECT venue_id FROM consent_state WHERE number_hash = ? AND purpose = 'sms' AND decision = 'granted' ORDER BY seq DESC`,
    [hash],
  );
  return rows.map((r) => r.venue_id);
}

/** The venue whose offers this number receives, most recent first: the one a STOP is about. */
export async function currentOffersVenue(db: Queryable, hash: string): Promise<string | undefined> {
  const row = await db.get<{ venue_id: string }>(
    `SELECT venue_id FROM consent_state WHERE number_hash = ? AND purpose = 'sms' AND decision = 'granted' ORDER BY seq DESC LIMIT 1`,
    [hash],
  );
  return row?.venue_id;
}

/** The venue this number last dealt with about SMS offers, whatever the decision. */
export async function lastOffersVenue(db: Queryable, hash: string): Promise<string | undefined> {
  const row = await db.get<{ venue_id: string }>(
    `SELECT venue_id FROM consent_state WHERE number_hash = ? AND purpose = 'sms' ORDER BY seq DESC LIMIT 1`,
    [hash],
  );
  return row?.venue_id;
}

/** Whether this number ever agreed to the venue's SMS offers (START restores only such a consent). */
export async function everAgreedToOffers(db: Queryable, hash: string, venueId: string): Promise<boolean> {
  return Boolean(
    await db.get(
      `SELECT 1 AS ok FROM consent_events WHERE number_hash = ? AND venue_id = ? AND purpose = 'sms' AND decision = 'granted' LIMIT 1`,
      [hash, venueId],
    ),
  );
}

/** The language of the person's last consent, if it is one Foyer speaks. */
export async function lastConsentLocale(db: Queryable, hash: string): Promise<Locale | undefined> {
  const row = await db.get<{ locale: string | null }>(
    'SELECT locale FROM consent_events WHERE number_hash = ? AND locale IS NOT NULL ORDER BY seq DESC LIMIT 1',
    [hash],
  );
  return row?.locale === 'bg' || row?.locale === 'en' ? row.locale : undefined;
}
