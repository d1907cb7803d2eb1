// A submitted screen 1, once its page and answers are checked: the flow-start limit, the
// code sent for the whole submission, and the flow written (or moved to the new code).
// A refused send changes nothing: a new number is never the flow's until its code went out.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { issueCode } from '../verification/verifications.ts';
import { createFlow, macHash, markCodeSent, newSecret, FLOW_TTL_MS, type Flow } from './flows.ts';
import type { Entry } from './entry-token.ts';
import { flowStartKeys, startBlockedUntil } from './start-limit.ts';
import { sendKeys } from './send-keys.ts';
import type { Submission } from './submission.ts';

export interface StartRequest {
  /** The page submitted, from its checked entry token. */
  shown: Entry;
  /** The flow this browser holds under the page's id, if any. */
  own: Flow | undefined;
  /** Whether a flow already has the page's id, as far as the caller looked (a taken id it did not see is found when the flow is written). */
  idTaken: boolean;
  submission: Submission;
  clientIp: string | null;
  userAgent: string | null;
  /** The code SMS in the guest's language. */
  text: (code: string, minutes: number) => string;
}

export type StartOutcome =
  | {
      ok: true;
      flowId: string;
      /** Set when a flow was written: the browser secret for its cookie. */ secret?: string;
      expiresAt: number;
    }
  | { ok: false; reason: 'too_many_starts' | 'blocked'; retryAt: number }
  | { ok: false; reason: 'sms_failed' };

export async function startSignUp(app: AppContext, venue: Venue, r: StartRequest): Promise<StartOutcome> {
  const { shown, own, submission: s } = r;
  const now = app.now();
  if (!own && r.clientIp) {
    const until = await startBlockedUntil(app.db, venue.id, r.clientIp, venue.settings.limits, now);
    if (until) return { ok: false, reason: 'too_many_starts', retryAt: until };
  }
  // The same page submitted again without its cookie (a double tap whose first answer the
  // browser dropped, or another browser) starts a flow of its own.
  let flowId = own?.id ?? (r.idTaken ? randomUUID() : shown.id);
  // A new flow is counted against the address's flow-start limit with its code, under the send's lock.
  const keys = flowStartKeys(
    own ? undefined : venue.settings.limits,
    sendKeys(app.keys, venue.id, {
      e164: s.e164,
      callingCode: s.callingCode,
      macHash: macHash(app.keys, shown.handoff.clientMac),
      clientIp: r.clientIp,
      nasId: shown.handoff.nasId,
    }),
  );
  const sent = await issueCode(app, flowId, {
    keys,
    e164: s.e164,
    settings: venue.settings,
    text: r.text,
    submission: s,
  });
  if (!sent.ok)
    return sent.reason === 'blocked' || sent.reason === 'too_many_starts'
      ? { ok: false, reason: sent.reason, retryAt: sent.retryAt }
      : { ok: false, reason: 'sms_failed' };
  const at = app.now();
  if (own) {
    await markCodeSent(app.db, own.id, sent.verificationId, sent.expiresAt, at);
    return { ok: true, flowId, expiresAt: Math.max(sent.expiresAt, at + FLOW_TTL_MS) };
  }
  const secret = newSecret();
  const f = {
    id: flowId,
    venueId: venue.id,
    handoff: shown.handoff,
    locale: s.locale as Locale,
    userAgent: r.userAgent,
    clientIp: r.clientIp,
    secret,
    verificationId: sent.verificationId,
    codeExpiresAt: sent.expiresAt,
  };
  // Submitted twice at once: the other request took the id, this one gets its own.
  if (!(await createFlow(app.db, app, f, at))) {
    flowId = f.id = randomUUID();
    if (!(await createFlow(app.db, app, f, at))) throw new Error(`flow ids ${shown.id} and ${flowId} are both taken`);
  }
  return { ok: true, flowId, secret, expiresAt: Math.max(sent.expiresAt, at + FLOW_TTL_MS) };
}
