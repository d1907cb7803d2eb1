// "Send it again" on screen 2: a valid code is sent again as it is; a spent one (expired,
// tried too often, used) is replaced by a new code, sent for the same submission as the
// code it replaces, which becomes the flow's current code. A number the venue no longer
// accepts, or a flow without a submission, has nothing to resend: back to screen 1.
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import { issueCode, resendCode, type SendOutcome } from '../verification/verifications.ts';
import { parseGuestPhone } from '../verification/phone.ts';
import { markCodeSent, type Flow } from './flows.ts';
import { currentCode } from './current-code.ts';
import { sendKeys } from './send-keys.ts';

export type ResendOutcome =
  | { ok: true; /** A new code replaced a spent one (rather than the same code sent again). */ replaced: boolean }
  | { ok: false; reason: 'restart' }
  | { ok: false; reason: 'too_soon' | 'blocked'; retryAt: number }
  | { ok: false; reason: 'sms_failed' };

export async function resendSignUpCode(
  app: AppContext,
  venue: Venue,
  flow: Flow,
  r: {
    clientIp: string | null;
    /** The code SMS in the guest's language. */ text: (code: string, minutes: number) => string;
  },
): Promise<ResendOutcome> {
  const { state, submission } = await currentCode(app, flow, app.now());
  if (!submission) return { ok: false, reason: 'restart' };
  const phone = parseGuestPhone(submission.e164, venue.country, venue.settings.allowedCountries);
  if (!phone.ok) return { ok: false, reason: 'restart' };
  const keys = sendKeys(app.keys, venue.id, {
    e164: submission.e164,
    callingCode: phone.callingCode,
    macHash: flow.macHash,
    clientIp: r.clientIp,
    nasId: flow.handoff.nasId,
  });
  const req = { keys, e164: submission.e164, settings: venue.settings, text: r.text, submission };
  let out: SendOutcome =
    state?.state === 'ok' ? await resendCode(app, flow.verificationId!, req) : await issueCode(app, flow.id, req);
  // Spent between the read above and the send: replaced all the same.
  if (!out.ok && (out.reason === 'expired' || out.reason === 'too_many' || out.reason === 'used'))
    out = await issueCode(app, flow.id, req);
  if (out.ok) {
    const replaced = out.verificationId !== flow.verificationId;
    if (replaced) await markCodeSent(app.db, flow.id, out.verificationId, out.expiresAt, app.now());
    return { ok: true, replaced };
  }
  return out.reason === 'too_soon' || out.reason === 'blocked' ? out : { ok: false, reason: 'sms_failed' };
}
