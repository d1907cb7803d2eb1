// A submitted screen 1, once its page and answers are checked: the flow-start limit, the
// code sent for the whole submission, and the flow written with it (or moved to the new code
// once it went out). A refused send changes nothing: a new number is never the flow's until
// its code went out, and a new flow is deleted when its code could not be sent.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { StoreError } from '../store/db.ts';
import { issueCode, type SendOutcome } from '../verification/verifications.ts';
import { createFlowIn, flowExpiry, forgetFlow, macHash, markCodeSent, newSecret, type Flow } from './flows.ts';
import type { Entry } from './entry-token.ts';
import { flowStartKeys } from './start-limit.ts';
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
  const secret = own ? undefined : newSecret();
  // A new flow's row goes with its code's transaction (flows.ts createFlowIn says why that
  // keeps it nobody's until the code went out); an own flow moves to the new code only after.
  const issue = (id: string) =>
    issueCode(app, id, {
      keys,
      e164: s.e164,
      settings: venue.settings,
      text: r.text,
      submission: s,
      alongside: secret
        ? (tx, code) =>
            createFlowIn(
              tx,
              app,
              {
                id,
                venueId: venue.id,
                handoff: shown.handoff,
                locale: s.locale as Locale,
                userAgent: r.userAgent,
                clientIp: r.clientIp,
                secret,
                verificationId: code.verificationId,
                codeExpiresAt: code.expiresAt,
              },
              now,
            )
        : undefined,
    });
  let sent: SendOutcome;
  try {
    sent = await issue(flowId);
  } catch (err) {
    // Submitted twice at once: the other request took the page's id. This one's transaction
    // rolled back before any code was sent; it starts again under an id of its own.
    if (!secret || !(err instanceof StoreError && err.code === 'conflict')) throw err;
    sent = await issue((flowId = randomUUID()));
  }
  if (!sent.ok) {
    if (sent.reason === 'blocked' || sent.reason === 'too_many_starts')
      return { ok: false, reason: sent.reason, retryAt: sent.retryAt };
    if (secret) await forgetFlow(app.db, flowId);
    return { ok: false, reason: 'sms_failed' };
  }
  if (own) await markCodeSent(app.db, own.id, sent.verificationId, sent.expiresAt, app.now());
  return { ok: true, flowId, secret, expiresAt: flowExpiry(sent.expiresAt, own ? app.now() : now) };
}
