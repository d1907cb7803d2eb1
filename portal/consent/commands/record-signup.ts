// Ledger command: a sign-up's decisions. Inside the sign-up's one transaction (signup/
// complete.ts): the subject (the person behind the number at the venue) and one event per
// purpose the page the guest saw offered, granted or declined, naming that page version,
// its locale and the hash of each consent text. The ledger event is this command's audit
// record: it is the guest's own act, on the append-only chain, with the page view it came
// from; the admin audit log is for operators' acts (withdraw-by-operator.ts, erase-by-operator.ts).
import type { Tx } from '../../store/db.ts';
import type { Keys } from '../../crypto/keys.ts';
import type { FieldCipher } from '../../crypto/fields.ts';
import { appendEvents, type AppendedEvent } from '../append.ts';
import type { ConsentEventInput, Purpose } from '../event.ts';
import { upsertSubject, type SubjectData } from '../subjects.ts';
import type { ConsentContent, ConsentPages } from '../consent-page.ts';

export interface SignupDecisions {
  venueId: string;
  /** The keyed hash of the number the returned code was sent to. */
  numberHash: string;
  person: SubjectData;
  /** The stored page version the guest submitted. */
  version: { id: string; content: ConsentContent };
  /** The boxes the guest ticked. */
  choices: Partial<Record<Purpose, boolean>>;
  verificationId: string;
  clientIp: string;
  clientMac: string | null;
  userAgent: string | null;
  nasId: string | null;
  apMac: string | null;
  ssid: string | null;
  /** What the evidence command needs to render screen 1 as the guest was served it (JSON). */
  evidence: string;
}

export async function recordSignupDecisions(
  tx: Tx,
  deps: { keys: Keys; cipher: FieldCipher; consentPages: ConsentPages },
  d: SignupDecisions,
  now: number,
): Promise<{ subjectId: string; events: AppendedEvent[] }> {
  const subjectId = await upsertSubject(tx, deps, d.venueId, d.person, now);
  // The purposes the page the guest saw offered, with that page's text.
  const offers = d.version.content.venue.offers;
  const purposes: Purpose[] = [
    'terms',
    ...(offers.sms ? (['sms'] as const) : []),
    ...(offers.email ? (['email'] as const) : []),
  ];
  const events: ConsentEventInput[] = purposes.map((purpose) => ({
    venueId: d.venueId,
    purpose,
    decision: d.choices[purpose] ? 'granted' : 'declined',
    channel: 'portal',
    numberHash: d.numberHash,
    subjectId,
    templateVersionId: d.version.id,
    locale: d.version.content.locale,
    textHash: deps.consentPages.consentTextHash(d.version.content, purpose),
    clientIp: d.clientIp,
    clientMac: d.clientMac,
    userAgent: d.userAgent,
    nasId: d.nasId,
    apMac: d.apMac,
    ssid: d.ssid,
    verificationId: d.verificationId,
    evidence: d.evidence,
  }));
  return { subjectId, events: await appendEvents(tx, events, deps.keys) };
}
