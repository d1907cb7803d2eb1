// Screen 2 (the code), resend, the hand-back to the NAS, and "you are online".
import type { Context } from 'koa';
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { csrfToken } from '../http/csrf.ts';
import { FoyerError } from '../errors.ts';
import { maskNumber } from '../log.ts';
import { normaliseGuess } from '../verification/codes.ts';
import { loadFlow, setFlowLocale, takeHandbackKey, type Flow } from '../signup/flows.ts';
import { currentCode } from '../signup/current-code.ts';
import { resendSignUpCode } from '../signup/resend.ts';
import { confirmSmsOptIn } from '../signup/confirmation.ts';
import { clientIp, flowExpired, formBody, ownFlow, seeOther } from './request.ts';
import { durationText, renderSlotted } from './pages.ts';
import { guestState } from './with-flow.ts';
import { completeSignUp } from '../signup/complete.ts';
import { adapterForHandoff } from './adapters.ts';
import { httpUrl } from '../access-points/safe-url.ts';
import { handBackContextFor, handBackOrigins } from '../access-points/nas-for-handoff.ts';
import { codeText, confirmationText } from './sms-texts.ts';
import { renderHandBackForm } from './handback-page.ts';
import { handbackGrant } from '../access/handback.ts';

type CodeError = { code: string; params?: Record<string, string | number> };

async function showCode(
  app: AppContext,
  kctx: Context,
  venue: Venue,
  flow: Flow,
  locale: Locale,
  opts: { error?: CodeError; notice?: string; status?: number } = {},
) {
  const { state, submission } = await currentCode(app, flow, app.now());
  let error = opts.error;
  // Opening screen 2 on a code that can no longer be used says so straight away.
  if (!error && state && state.state !== 'ok') error = { code: `guest_code_${state.state}` };
  const canEnter = state?.state === 'ok';
  // A correct code is answered with a redirect to the NAS (CoovaChilli, generic): CSP
  // form-action governs a form's redirects too, so this page must allow the login origin.
  kctx.state.formAction = handBackOrigins(flow.handoff);
  // Rendered once per venue, locale, message and state; the flow's own values put in (pages.ts).
  renderSlotted(
    app,
    kctx,
    'code',
    locale,
    venue,
    { flowId: flow.id, csrf: csrfToken(app.keys, flow.id), masked: maskNumber(submission?.e164) },
    (slot) => ({
      flowId: slot('flowId'),
      csrf: slot('csrf'),
      switchBase: `/p/${venue.slug}/code?f=${slot('flowId')}&`,
      masked: slot('masked'),
      minutes: venue.settings.code.validityMinutes,
      length: venue.settings.code.length,
      canEnter,
      error: error && app.views.t(locale, `errors.${error.code}`, error.params),
      notice: opts.notice,
    }),
    opts.status ?? 200,
  );
}

/** Screen 2 (after withFlow: a flow with a code sent). */
export async function codePage(app: AppContext, kctx: Context): Promise<void> {
  const { venue, flow, locale } = guestState(kctx);
  // A language picked on screen 2 holds for what follows (the next SMS, the last page).
  if (kctx.query.lang && locale !== flow.locale) await setFlowLocale(app.db, flow.id, locale, app.now());
  const notice =
    kctx.query.n === 'resent' || kctx.query.n === 'new'
      ? app.views.t(locale, kctx.query.n === 'new' ? 'guest.code.sentNew' : 'guest.code.resent')
      : undefined;
  await showCode(app, kctx, venue, flow, locale, { notice });
}

const STATUS: Record<string, number> = { wrong: 400, expired: 410, too_many: 429, used: 409 };

export async function submitCode(app: AppContext, kctx: Context): Promise<void> {
  const { venue, flow, locale } = guestState(kctx);
  const raw = formBody(kctx).code;
  const guess = typeof raw === 'string' ? normaliseGuess(raw.slice(0, 32)) : '';
  if (!guess) return showCode(app, kctx, venue, flow, locale, { error: { code: 'guest_code_missing' }, status: 400 });

  const outcome = await completeSignUp(app, venue, flow, guess, {
    clientIp: clientIp(kctx),
    userAgent: kctx.get('user-agent') || null,
  });
  if (!outcome.ok) {
    const error =
      outcome.reason === 'wrong'
        ? { code: 'guest_code_wrong', params: { remaining: outcome.remaining } }
        : { code: `guest_code_${outcome.reason}` };
    return showCode(app, kctx, venue, flow, locale, { error, status: STATUS[outcome.reason] });
  }
  app.log.info(
    { venue: venue.slug, flow: flow.id, grant: outcome.grant.id, events: outcome.events.length },
    'guest signed up',
  );
  confirmSmsOptIn(app, venue, outcome.submission, () => confirmationText(app.views, venue, locale));
  // The online page link works once without the cookie (a mini-browser that lost it).
  const online = `/p/${venue.slug}/online?f=${flow.id}&k=${outcome.handbackKey}`;
  if (!(await handBack(app, kctx, venue, flow, locale, outcome.grant, online))) seeOther(kctx, online);
}

/** Sends the guest to the NAS with the grant's credentials; false when the vendor needs no hand-back. */
async function handBack(
  app: AppContext,
  kctx: Context,
  venue: Venue,
  flow: Flow,
  locale: Locale,
  grant: { username: string; password: string },
  onlineHref = `/p/${venue.slug}/online?f=${flow.id}`,
): Promise<boolean> {
  const adapter = adapterForHandoff(flow.handoff);
  // Outside the try: a login host the venue did not configure is the NAS's fault (400), not a failed call.
  const nasContext = await handBackContextFor(app, venue, flow.handoff);
  let back;
  try {
    back = await adapter.handBack(flow.handoff, { username: grant.username, password: grant.password }, nasContext);
  } catch (err) {
    // The grant is committed; only telling the NAS failed. The online page tries again.
    app.log.error(
      { venue: venue.slug, flow: flow.id, vendor: adapter.vendor, err: (err as Error).message },
      'hand-back to the NAS failed',
    );
    throw new FoyerError('guest_handback_failed', 502, 'The Wi-Fi could not be told to let you in.');
  }
  if (back.kind === 'done') return false;
  if (back.kind === 'redirect') {
    seeOther(kctx, back.url);
    return true;
  }
  renderHandBackForm(app, kctx, venue, locale, back, onlineHref);
  return true;
}

export async function resend(app: AppContext, kctx: Context): Promise<void> {
  const { venue, flow, locale } = guestState(kctx);
  const now = app.now();
  const out = await resendSignUpCode(app, venue, flow, {
    clientIp: clientIp(kctx) || null,
    text: (code, minutes) => codeText(app.views, venue, locale, code, minutes),
  });
  if (out.ok) return seeOther(kctx, `/p/${venue.slug}/code?f=${flow.id}&n=${out.replaced ? 'new' : 'resent'}`);
  if (out.reason === 'restart') return seeOther(kctx, `/p/${venue.slug}/start?f=${flow.id}`);
  if (out.reason === 'too_soon' || out.reason === 'blocked') {
    const seconds = Math.max(1, Math.ceil((out.retryAt - now) / 1000));
    kctx.set('Retry-After', String(seconds));
    const error: CodeError =
      out.reason === 'too_soon'
        ? { code: 'guest_resend_too_soon', params: { seconds } }
        : { code: 'guest_send_blocked', params: { minutes: Math.ceil(seconds / 60) } };
    return showCode(app, kctx, venue, flow, locale, { error, status: 429 });
  }
  return showCode(app, kctx, venue, flow, locale, { error: { code: 'guest_sms_failed' }, status: 503 });
}

/**
 * "You are online", or the hand-back again while the NAS has not seen the grant. Only for
 * the browser that holds the flow, or once with the single-use key of the link it was
 * sent to (a mini-browser that lost its cookie): the flow id alone gives nothing.
 */
export async function onlinePage(app: AppContext, kctx: Context): Promise<void> {
  const { venue, flow, locale } = guestState(kctx);
  if (!flow.grantId) return seeOther(kctx, `/p/${venue.slug}/start?f=${flow.id}`);
  // The grant and whether the NAS started a session with it, in one read.
  const g = await handbackGrant(app.db, app.cipher, flow.grantId, app.now());
  const left = g.leftMs;
  // The answer that carried the hand-back may have been lost (a crash, a closed mini-browser):
  // until the NAS starts a session for this grant, hand the same grant back again.
  if (g.credentials) {
    if (await handBack(app, kctx, venue, flow, locale, g.credentials)) return;
  }
  // The venue's offer first: without it there is no code to read.
  const smsOptIn = Boolean(
    venue.settings.offers.sms && (await currentCode(app, flow, app.now())).submission?.choices.sms,
  );
  renderSlotted(
    app,
    kctx,
    'online',
    locale,
    venue,
    { flowId: flow.id, originalUrl: httpUrl(flow.handoff.originalUrl) },
    (slot) => ({
      switchBase: `/p/${venue.slug}/online?f=${slot('flowId')}&`,
      duration: durationText(app, locale, left),
      originalUrl: slot('originalUrl'),
      smsOptIn,
    }),
  );
}

/** The online page's flow (withFlow's `find`): the browser's own, or the one the link's single-use key opens. */
export async function onlineFlow(app: AppContext, kctx: Context, venue: Venue): Promise<Flow> {
  const q = (k: string) => (typeof kctx.query[k] === 'string' ? (kctx.query[k] as string) : '');
  const own = await ownFlow(app, kctx, venue, q('f') || undefined);
  if (own) return own;
  const flow = q('k') ? await loadFlow(app.db, app, q('f'), venue.id, app.now()) : undefined;
  if (flow && (await takeHandbackKey(app.db, app.keys, flow.id, q('k')))) return flow;
  throw flowExpired();
}
