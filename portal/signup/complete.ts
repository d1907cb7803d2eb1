// A correct code, in ONE transaction: the code is used up, the subject is written, one
// ledger event per purpose (granted or declined) names the page version the guest was
// shown, and the grant is created. Either all of it commits or none of it does.
// Number, choices, details and page version all come from the row of the code that was
// returned (written when that code was sent), never from the flow: changing the number
// on screen 1 starts a new code, and consent can only be recorded for a number that
// received and returned its own code.
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import { checkCode, type CheckOutcome } from '../verification/verifications.ts';
import { numberHash } from '../consent/subjects.ts';
import { recordSignupDecisions } from '../consent/commands/record-signup.ts';
import { createGrant, type Grant } from '../access/grants.ts';
import type { Handoff } from '../access-points/handoff.ts';
import { markDone, newSecret, type Flow } from './flows.ts';
import { readSubmission, type Submission } from './submission.ts';

export interface RequestFacts {
  clientIp: string;
  userAgent: string | null;
}

export type CompleteOutcome =
  | Exclude<CheckOutcome, { ok: true }>
  | {
      ok: true;
      grant: Grant;
      events: string[];
      submission: Submission;
      /** Single-use key for the online page. */ handbackKey: string;
    };

/**
 * The redirect's values as the NAS reported them: the redirect is not signed, so the
 * ledger records them as reported, not as proven (the HTTP client address, in its own
 * column, is the one value the portal saw itself).
 */
export function nasReported(h: Handoff): Record<string, string> {
  const v = { client_mac: h.clientMac, client_ip: h.clientIp, nas_id: h.nasId, ap_mac: h.apMac, ssid: h.ssid };
  return Object.fromEntries(
    Object.entries(v)
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .map(([k, s]) => [k, s.slice(0, 200)]),
  );
}

export async function completeSignUp(
  app: AppContext,
  venue: Venue,
  flow: Flow,
  guess: string,
  req: RequestFacts,
): Promise<CompleteOutcome> {
  const now = app.now();
  const handbackKey = newSecret();
  const outcome = await app.db.tx(async (tx): Promise<CompleteOutcome> => {
    const check = await checkCode(tx, app.keys, flow.verificationId!, guess, now);
    if (!check.ok) return check;
    const s = readSubmission(app.cipher, check.submissionEnc);
    // A code without its submission (sent before this release) confirms nothing.
    if (!s || numberHash(app.keys, s.e164) !== check.numberHash) return { ok: false, reason: 'expired' };
    const version = await app.consentPages.storedVersion(s.versionId, tx);
    if (!version || version.venueId !== venue.id)
      throw new Error(`template version ${s.versionId} of flow ${flow.id} is missing`);
    const h = flow.handoff;
    const { subjectId, events: appended } = await recordSignupDecisions(
      tx,
      app,
      {
        venueId: venue.id,
        numberHash: check.numberHash,
        person: { e164: s.e164, name: s.details.name, email: s.details.email, birthDate: s.details.birthDate },
        version,
        choices: s.choices,
        verificationId: check.verificationId,
        clientIp: req.clientIp,
        clientMac: h.clientMac ?? null,
        userAgent: (req.userAgent ?? flow.userAgent)?.slice(0, 1024) ?? null,
        nasId: h.nasId ?? null,
        apMac: h.apMac ?? null,
        ssid: h.ssid ?? null,
        // `flow`: the flow id the submitted page carried, which the page's bytes include.
        evidence: JSON.stringify({ flow: s.page, screen: 'start', entry: s.entry, nas_reported: nasReported(h) }),
      },
      now,
    );
    const grant = await createGrant(
      tx,
      app.cipher,
      { venueId: venue.id, subjectId, clientMac: h.clientMac, nasId: h.nasId, session: venue.settings.session },
      now,
    );
    await markDone(tx, app.keys, flow.id, grant.id, grant.endsAt, handbackKey, now);
    return { ok: true as const, grant, events: appended.map((e) => e.id), submission: s, handbackKey };
  });
  return outcome;
}
