// The NAS sends the guest's browser back to /p/<venue> after a login (issue 19 point 1):
// CoovaChilli with res=success|already|failed|logoff, MikroTik's login page with `error`,
// Cisco with statusCode (portal/access-points/after-login.ts reads each). Before, every one
// of them landed on screen 1 and the guest, asked for their number again, thought it had
// failed. Here: online → "you are online"; failed → the reason and a way to try again
// (the same grant, handed back with the fresh challenge the return carries); logoff → a
// goodbye page. A plain login redirect (notyet) goes on to screen 1 (screen1.ts entry),
// after giving a finished flow of this browser the fresh challenge it carries.
import type { Context, Next } from 'koa';
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import type { Handoff } from '../access-points/handoff.ts';
import { readRedirect } from '../access-points/nas-for-handoff.ts';
import { asLoginRedirect, loginReturn, mayBeLoginReturn } from '../access-points/after-login.ts';
import { httpUrl } from '../access-points/safe-url.ts';
import { handbackPending, macHash, type Flow } from '../signup/flows.ts';
import { refreshFlowHandoff } from '../signup/flow-handoff.ts';
import { grantStateById } from '../access/grant-state.ts';
import { rejectSinceLastGrant } from '../access/reject-reasons.ts';
import { cookieFlow, ownFlow, pickLocale, singleQuery } from './request.ts';
import { guestState } from './with-flow.ts';
import { durationText, renderPage } from './pages.ts';

/** A refusal older than this is not the one the NAS is reporting now. */
const REFUSAL_MS = 10 * 60_000;

/** What the after-login check read before passing a login redirect on to screen 1's entry. */
export interface EntryRead {
  handoff: Handoff;
  own: Flow | undefined;
}

export async function afterLogin(app: AppContext, kctx: Context, next: Next): Promise<void> {
  const query = singleQuery(kctx);
  // Most hits are first visits: no return parameters and no flow cookie, nothing to read here.
  if (!mayBeLoginReturn(query) && !cookieFlow(kctx)) return next();
  const { venue } = guestState(kctx);
  const { handoff } = await readRedirect(app, venue, query);
  const own = await ownFlow(app, kctx, venue);
  // Only this device's flow: the browser's cookie and the MAC the NAS reports must agree.
  const flow = own && (!handoff.clientMac || macHash(app.keys, handoff.clientMac) === own.macHash) ? own : undefined;
  const now = app.now();
  const ret = loginReturn(handoff);
  if (flow?.state === 'done' && handoff.loginUrl && ret?.outcome !== 'online' && ret?.outcome !== 'logoff') {
    // A fresh challenge for the next hand-back of this flow's grant (the online page's).
    await refreshFlowHandoff(app.db, app, flow, handoff, now);
  }
  if (!ret) {
    // Screen 1's entry reads the same two things: it takes them from here (screen1.ts).
    kctx.state.entryRead = { handoff, own } satisfies EntryRead;
    return next();
  }
  const locale = pickLocale(kctx, venue, flow);
  const { lang: _lang, ...rest } = query;
  const again = `/p/${venue.slug}?${new URLSearchParams(asLoginRedirect(rest))}`;
  // The same return in another language.
  const switchBase = `/p/${venue.slug}?${new URLSearchParams(rest)}&`;
  if (ret.outcome === 'online') return online(app, kctx, venue, locale, flow, handoff, now, switchBase);
  if (ret.outcome === 'logoff') {
    app.log.info({ venue: venue.slug, vendor: handoff.vendor }, 'guest logged off at the NAS');
    return renderPage(app, kctx, 'logoff', locale, venue, { switchBase, againHref: again });
  }
  // failed: why (Foyer's own refusal when it was one, else what the NAS said), and the way on.
  const reason = handoff.clientMac
    ? await rejectSinceLastGrant(app.db, handoff.clientMac, venue.id, now - REFUSAL_MS)
    : undefined;
  // A CHAP answer made with an expired challenge reads as a wrong password: the same grant,
  // handed back with the fresh challenge, gets in. Any other refusal needs a new sign-in.
  const retry =
    flow?.state === 'done' && (!reason || reason === 'wrong_password') && (await handbackPending(app.db, flow.id, now));
  const message =
    reason && !retry
      ? app.views.t(locale, `access.reject.${reason}`)
      : ret.reason && !reason
        ? app.views.t(locale, 'guest.failed.nasSaid', { reply: ret.reason })
        : app.views.t(locale, 'guest.failed.generic');
  app.log.info(
    {
      venue: venue.slug,
      vendor: handoff.vendor,
      reason: reason ?? ret.reason ?? 'none',
      said: ret.said?.slice(0, 256),
      retry,
    },
    'NAS refused the hand-back',
  );
  renderPage(app, kctx, 'failed', locale, venue, {
    switchBase,
    message,
    retryHref: retry ? `/p/${venue.slug}/online?f=${flow!.id}` : undefined,
    againHref: again,
  });
}

/** "You are online" straight away: the NAS has just said so, so nothing is handed back again. */
async function online(
  app: AppContext,
  kctx: Context,
  venue: Venue,
  locale: Locale,
  flow: Flow | undefined,
  handoff: Handoff,
  now: number,
  switchBase: string,
): Promise<void> {
  const grant = flow?.state === 'done' && flow.grantId ? await grantStateById(app.db, flow.grantId, now) : undefined;
  const left = grant && grant.revokedAt === null ? grant.endsAt - now : 0;
  renderPage(app, kctx, 'online', locale, venue, {
    switchBase,
    duration: left > 0 ? durationText(app, locale, left) : undefined,
    originalUrl: httpUrl(handoff.originalUrl ?? flow?.handoff.originalUrl),
  });
}
