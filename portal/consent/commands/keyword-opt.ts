// Ledger commands: opting in to a venue's SMS offers by keyword. START restores the
// consent at the venue the number last dealt with, only if the number agreed there before;
// a venue's keyword opts in afresh, with the reply (which states the terms) stored as the
// notice the consent was given under, and the sender joins the venue's subjects as at the
// portal (sending from the number proves it). The ledger event is the audit record of a
// person's own act (see record-signup.ts).
import type { Tx } from '../../store/db.ts';
import type { Keys } from '../../crypto/keys.ts';
import type { FieldCipher } from '../../crypto/fields.ts';
import { appendEvents } from '../append.ts';
import { sha256 } from '../event.ts';
import { upsertSubject } from '../subjects.ts';
import { registerTemplateVersion } from '../template-versions.ts';
import { everAgreedToOffers, lastOffersVenue } from '../offers-by-number.ts';
import { offersEvent, type KeywordMessage } from './stop.ts';

/** START: the venue whose consent was restored, or undefined when there is none to restore. */
export async function startByKeyword(
  tx: Tx,
  keys: Keys,
  m: KeywordMessage,
  knownVenue: (id: string) => boolean,
): Promise<string | undefined> {
  const venueId = await lastOffersVenue(tx, m.numberHash);
  if (!venueId || !knownVenue(venueId) || !(await everAgreedToOffers(tx, m.numberHash, venueId))) return undefined;
  await appendEvents(tx, [offersEvent(venueId, 'granted', m)], keys);
  return venueId;
}

export async function optInByKeyword(
  tx: Tx,
  deps: { keys: Keys; cipher: FieldCipher },
  m: KeywordMessage & { venueId: string; e164: string; keyword: string; reply: string },
  now: number,
): Promise<void> {
  // The ledger's lock before the subject is written, as a sign-up takes it before it reads
  // the number's subject (record-signup.ts): one order for both, so on PostgreSQL neither
  // waits for the other's subject row while holding the lock the other wants.
  await tx.lock('ledger');
  const templateVersionId = await registerTemplateVersion(tx, m.venueId, {
    kind: 'sms-keyword-optin',
    locale: m.locale,
    keyword: m.keyword,
    reply: m.reply,
  });
  const subjectId = await upsertSubject(tx, deps, m.venueId, { e164: m.e164 }, now);
  await appendEvents(
    tx,
    [{ ...offersEvent(m.venueId, 'granted', m), templateVersionId, textHash: sha256(m.reply), subjectId }],
    deps.keys,
  );
}
