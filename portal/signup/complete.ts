// A correct code, in ONE transaction: the code is used up, the subject is written, one
// ledger event per purpose (granted or declined) names the page version the guest was
// shown, and the grant is created. Either all of it commits or none of it does.
// Number, choices, details and page version all come from the row of the code that was
// returned (written when that code was sent), never from the flow: changing the number
// on screen 1 starts a new code, and consent can only be recorded for a number that
// received and returned its own code.
import type { AppContext } from '../context.ts';
import { StoreError, type Queryable, type Tx } from '../store/db.ts';
import { isUnmet } from '../store/requirements.ts';
import type { Venue } from '../venues/venues.ts';
import { checkCode, codeSentFor, useCodeIn, type CheckOutcome } from '../verification/verifications.ts';
import { numberHash } from '../consent/subjects.ts';
import {
  knowsSignupHead,
  prepareSignupDecisions,
  readSignupLedger,
  recordSignupDecisions,
  recordSignupOnKnownHead,
  rememberSignupHead,
  signupSubjectId,
  type PreparedSignup,
  type RecordedSignup,
} from '../consent/commands/record-signup.ts';
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
  // Before the writer is taken: what a code was sent for (its number, its submission) never
  // changes once it is issued, so the decisions are decrypted, hashed and parsed here, CPU
  // the writer does not wait for; inside, they are used when the code checked is that one.
  const sent = await codeSentFor(app.db, app.keys, flow.verificationId!, guess, now);
  const early = sent ? await prepare(app, venue, flow, req, sent, app.db).catch(() => undefined) : undefined;
  const h = flow.handoff;
  const finish = async (tx: Tx, recorded: RecordedSignup, s: Submission): Promise<CompleteOutcome> => {
    rememberSignupHead(app.db, recorded.head);
    const grant = await createGrant(
      tx,
      app.cipher,
      {
        venueId: venue.id,
        subjectId: recorded.subjectId,
        clientMac: h.clientMac,
        nasId: h.nasId,
        session: venue.settings.session,
      },
      now,
    );
    await markDone(tx, app.keys, flow.id, grant.id, grant.endsAt, handbackKey, now);
    return { ok: true as const, grant, events: recorded.events.map((e) => e.id), submission: s, handbackKey };
  };
  // A right guess, on SQLite, once this process knows the ledger's head: everything with the
  // COMMIT, the code's use and the head it is recorded on required to be still what they
  // were (record-signup.ts says why that is sound), so the writer is held for one trip. If any was not, nothing was written, and the sign-up takes the road below, which
  // checks the code and reads the ledger under the writer and says what went wrong.
  // Not on PostgreSQL: its processes share the ledger, so the head one of them knows would
  // often be another's behind.
  if (sent?.right && early?.ok && app.db.dialect === 'sqlite' && knowsSignupHead(app.db)) {
    const ready = early;
    const subjectId = await signupSubjectId(app.db, venue.id, ready.numberHash);
    try {
      return await app.db.tx(async (tx) => {
        useCodeIn(tx, app.keys, flow.verificationId!, guess, now);
        return finish(
          tx,
          await recordSignupOnKnownHead(tx, app.db, app.keys, ready.decisions, now, subjectId),
          ready.s,
        );
      });
    } catch (err) {
      if (!isUnmet(err) && !(err instanceof StoreError && err.code === 'conflict')) throw err;
    }
  }
  return app.db.tx(async (tx): Promise<CompleteOutcome> => {
    // The ledger head and the number's subject are read beside the writer WHILE it checks the
    // code (record-signup.ts says why that is sound), then everything else goes with the
    // COMMIT: on SQLite the writer is held for two trips, the check's and the COMMIT's.
    // Started first, in this tick, so that on PostgreSQL they ride with the check's statement
    // (with the ledger's lock, so a wrong code holds it too, for its two trips as a sign-up
    // does: a code takes at most max_attempts of them, and sending codes is limited).
    // Both are awaited before anything ends the transaction (a rejection of one must not
    // roll back while the other is still on its way).
    const ledger = sent ? settled(readSignupLedger(tx, venue.id, sent.numberHash)) : undefined;
    const [check, read] = await Promise.all([
      settled(checkCode(tx, app.keys, flow.verificationId!, guess, now)),
      ledger,
    ]);
    if ('error' in check) throw check.error;
    // A refused code commits its counted attempt whatever became of the read, which only a
    // correct one needs.
    if (!check.value.ok) return check.value;
    if (read && 'error' in read) throw read.error;
    const code = check.value;
    const ready =
      early && early.ok && early.submissionEnc === code.submissionEnc && early.numberHash === code.numberHash
        ? early
        : await prepare(app, venue, flow, req, code, tx);
    if (!ready.ok) return ready;
    return finish(tx, await recordSignupDecisions(tx, app.keys, ready.decisions, now, read?.value), ready.s);
  });
}

/**
 * The sign-up's decisions from what the code was sent for: its submission (number, choices,
 * details, page version) and the page version stored. `db`: where a version not yet in
 * memory is read from.
 */
async function prepare(
  app: AppContext,
  venue: Venue,
  flow: Flow,
  req: RequestFacts,
  sent: { numberHash: string; submissionEnc: string | null },
  db: Queryable,
): Promise<
  | { ok: false; reason: 'expired' }
  | { ok: true; submissionEnc: string | null; numberHash: string; s: Submission; decisions: PreparedSignup }
> {
  const s = readSubmission(app.cipher, sent.submissionEnc);
  // A code without its submission (sent before this release) confirms nothing.
  if (!s || numberHash(app.keys, s.e164) !== sent.numberHash) return { ok: false, reason: 'expired' };
  const version = await app.consentPages.storedVersion(s.versionId, db);
  if (!version || version.venueId !== venue.id)
    throw new Error(`template version ${s.versionId} of flow ${flow.id} is missing`);
  const h = flow.handoff;
  const decisions = prepareSignupDecisions(app, {
    venueId: venue.id,
    numberHash: sent.numberHash,
    person: { e164: s.e164, name: s.details.name, email: s.details.email, birthDate: s.details.birthDate },
    version,
    choices: s.choices,
    verificationId: flow.verificationId!,
    clientIp: req.clientIp,
    clientMac: h.clientMac ?? null,
    userAgent: (req.userAgent ?? flow.userAgent)?.slice(0, 1024) ?? null,
    nasId: h.nasId ?? null,
    apMac: h.apMac ?? null,
    ssid: h.ssid ?? null,
    // `flow`: the flow id the submitted page carried, which the page's bytes include.
    evidence: JSON.stringify({ flow: s.page, screen: 'start', entry: s.entry, nas_reported: nasReported(h) }),
  });
  return { ok: true, submissionEnc: sent.submissionEnc, numberHash: sent.numberHash, s, decisions };
}

/** A promise's outcome as a value: both of two promises are awaited even when one rejects. */
const settled = <T>(p: Promise<T>): Promise<{ value: T } | { error: unknown }> =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
