// The prologue every guest route shared, as middleware: the venue named by :slug, loaded
// once per request (router.param), and for the flow's screens the guest's language, the
// CSRF check of a form, the flow this browser holds and the state the screen shows.
import type { Context, Middleware, Next } from 'koa';
import type { AppContext } from '../context.ts';
import { FoyerError } from '../errors.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import type { Flow } from '../signup/flows.ts';
import { flowFor, pickLocale, requireCsrf, seeOther } from './request.ts';

/** What the middleware put in kctx.state for the handler. */
export interface GuestState {
  venue: Venue;
  locale: Locale;
  flow: Flow;
}

export const guestState = (kctx: Context): GuestState => kctx.state as GuestState;

/** For router.param('slug'): the venue into kctx.state.venue, or the guest's 404 page. */
export const loadVenue = (app: AppContext) => async (slug: string, kctx: Context, next: Next) => {
  const venue = /^[a-z0-9][a-z0-9-]{0,62}$/.test(slug) ? await app.venues.bySlug(slug) : undefined;
  if (!venue) throw new FoyerError('venue_not_found', 404, 'There is no Wi-Fi sign-in page at this address.');
  kctx.state.venue = venue;
  return next();
};

/** A form's CSRF token, checked before anything is read; its error page already in the guest's language. */
export const withCsrf =
  (app: AppContext): Middleware =>
  (kctx, next) => {
    pickLocale(kctx, guestState(kctx).venue);
    requireCsrf(app, kctx);
    return next();
  };

type FindFlow = (app: AppContext, kctx: Context, venue: Venue) => Promise<Flow>;

/**
 * A screen of a flow in `state`: the flow this browser holds (by default the one its
 * cookie opens; a 410 page otherwise) into kctx.state.flow, the language with the flow's,
 * and a flow in another state sent where that state is shown (done: "you are online";
 * not sent a code yet: screen 1). A POST's CSRF token is checked first.
 */
export function withFlow(app: AppContext, o: { state: 'code_sent' | 'done'; find?: FindFlow }): Middleware {
  const find = o.find ?? flowFor;
  return async (kctx, next) => {
    const { venue } = guestState(kctx);
    pickLocale(kctx, venue);
    if (kctx.method === 'POST') requireCsrf(app, kctx);
    const flow = await find(app, kctx, venue);
    kctx.state.flow = flow;
    pickLocale(kctx, venue, flow);
    if (flow.state !== o.state)
      return seeOther(kctx, `/p/${venue.slug}/${flow.state === 'done' ? 'online' : 'start'}?f=${flow.id}`);
    return next();
  };
}
