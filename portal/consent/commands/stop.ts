// Ledger command: STOP by SMS. Withdraws SMS-offers consent at the venue whose offers the
// number currently receives (STOP), or at every venue that sends it offers (STOPALL): one
// event each (channel sms-keyword) holding the message as evidence. The ledger event is
// the audit record of a person's own act (see record-signup.ts). Returns the venues.
import type { Tx } from '../../store/db.ts';
import type { Keys } from '../../crypto/keys.ts';
import type { Locale } from '../../venues/settings.ts';
import { appendEvents } from '../append.ts';
import { currentOffersVenue, venuesSendingOffers } from '../offers-by-number.ts';

export interface KeywordMessage {
  numberHash: string;
  /** The language the reply is written in. */
  locale: Locale;
  /** The message as received (cut to 4096 characters). */
  evidence: string;
}

export async function stopByKeyword(
  tx: Tx,
  keys: Keys,
  m: KeywordMessage & { all: boolean },
  knownVenue: (id: string) => boolean,
): Promise<string[]> {
  const found = m.all ? await venuesSendingOffers(tx, m.numberHash) : [await currentOffersVenue(tx, m.numberHash)];
  const venueIds = found.filter((id): id is string => id !== undefined && knownVenue(id));
  await appendEvents(
    tx,
    venueIds.map((venueId) => offersEvent(venueId, 'withdrawn', m)),
    keys,
  );
  return venueIds;
}

/** An SMS-offers event from a keyword message. */
export const offersEvent = (venueId: string, decision: 'granted' | 'withdrawn', m: KeywordMessage) => ({
  venueId,
  purpose: 'sms' as const,
  decision,
  channel: 'sms-keyword' as const,
  numberHash: m.numberHash,
  locale: m.locale,
  evidence: m.evidence,
});
