// A correct code, in ONE transaction: the code is used up, the subject is written, one
// ledger event per purpose (granted or declined) names the page version the guest was
// shown, and the grant is created. Either all of it commits or none of it does.
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import { checkCode, type CheckOutcome } from '../verification/verifications.ts';
import { upsertSubject } from '../consent/subjects.ts';
import { appendEvents } from '../consent/append.ts';
import type { ConsentEventInput, Purpose } from '../consent/event.ts';
import { createGrant, type Grant } from '../access/grants.ts';
import { deviceGranted } from '../access/grant-cache.ts';
import { consentTextHash, storedVersion } from './consent-page.ts';
import { markDone, type Flow } from './flows.ts';

export interface RequestFacts {
  clientIp: string;
  userAgent: string | null;
}

export type CompleteOutcome = Exclude<CheckOutcome, { ok: true }> | { ok: true; grant: Grant; events: string[] };

export async function completeSignUp(app: AppContext, venue: Venue, flow: Flow, guess: string, req: RequestFacts): Promise<CompleteOutcome> {
  const now = app.now();
  const e164 = flow.e164!;
  const choices = flow.choices!;
  const version = await storedVersion(app.db, flow.templateVersionId!);
  if (!version) throw new Error(`template version ${flow.templateVersionId} of flow ${flow.id} is missing`);
  const outcome = await app.db.tx(async (tx) => {
    const check = await checkCode(tx, app.keys, flow.verificationId!, guess, now);
    if (!check.ok) return check;
    const subjectId = await upsertSubject(tx, app, venue.id, { e164, name: flow.details.name, email: flow.details.email, birthDate: flow.details.birthDate }, now);
    const h = flow.handoff;
    const purposes: Purpose[] = ['terms', ...(venue.settings.offers.sms ? (['sms'] as const) : []), ...(venue.settings.offers.email ? (['email'] as const) : [])];
    const events: ConsentEventInput[] = purposes.map((purpose) => ({
      venueId: venue.id,
      purpose,
      decision: choices[purpose] ? 'granted' : 'declined',
      channel: 'portal',
      numberHash: check.numberHash,
      subjectId,
      templateVersionId: version.id,
      locale: version.content.locale,
      textHash: consentTextHash(version.content, purpose),
      clientIp: req.clientIp,
      clientMac: h.clientMac ?? null,
      userAgent: (req.userAgent ?? flow.userAgent)?.slice(0, 1024) ?? null,
      nasId: h.nasId ?? null,
      apMac: h.apMac ?? null,
      ssid: h.ssid ?? null,
      verificationId: check.verificationId,
      // What the evidence command needs to render screen 1 as this flow was served it.
      evidence: JSON.stringify({ flow: flow.id, screen: 'start' }),
    }));
    const appended = await appendEvents(tx, events, app.keys);
    const grant = await createGrant(tx, app.cipher, { venueId: venue.id, subjectId, clientMac: h.clientMac, nasId: h.nasId, session: venue.settings.session }, now);
    await markDone(tx, flow.id, grant.id, grant.endsAt, now);
    return { ok: true as const, grant, events: appended.map((e) => e.id) };
  });
  // At once in this process (after the commit, so no read can put the old grant back);
  // other processes learn it from the grant change feed.
  if (outcome.ok && outcome.grant.clientMac) deviceGranted(outcome.grant.clientMac, venue.id);
  return outcome;
}
