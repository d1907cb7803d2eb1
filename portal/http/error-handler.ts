// Turns every failure into an answer: a FoyerError keeps its status and localized
// message; a database outage is a 503 with a retry hint; anything else a plain 500
// whose details go to the log only (Koa's `expose` rule). The one error renderer: a group
// of routes with pages of its own (the guest pages) only says how its HTML looks
// (ctx.state.errorPage); which status, which language and which message are decided here.
import type { Context, Middleware } from 'koa';
import { FoyerError } from '../errors.ts';
import { isUnavailable } from '../store/db.ts';
import type { Logger } from '../log.ts';
import type { Views } from './views.ts';
import type { Locale } from '../venues/settings.ts';
import type { Venue } from '../venues/venues.ts';
import { negotiateLocale } from './i18n.ts';
import { LOCALES } from '../venues/settings.ts';

/** An error as a page of a group of routes: the status, code, message and language are already chosen. */
export type ErrorPage = (ctx: Context, e: { status: number; code: string; message: string; locale: Locale }) => void;

/** Routes below this show their refusals as `page`; failures (500) and outages keep the plain page. */
export const errorPage =
  (page: ErrorPage): Middleware =>
  (ctx, next) => {
    ctx.state.errorPage = page;
    return next();
  };

export function errorHandler(log: Logger, views: Views): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw new FoyerError('not_found', 404, 'There is no page at this address.');
    } catch (err) {
      let e: FoyerError;
      if (err instanceof FoyerError) e = err;
      else if (isUnavailable(err))
        e = new FoyerError(
          'service_unavailable',
          503,
          'The service is briefly unavailable. Please try again in a minute.',
        );
      else if (isHttpError(err))
        e = new FoyerError(
          err.status === 413 ? 'body_too_large' : 'bad_request',
          err.status,
          err.status === 413 ? 'What was sent is too large.' : 'The request could not be understood.',
        );
      else e = new FoyerError('internal', 500, 'Something went wrong on our side.');
      if (e.status >= 500) log.error({ err, url: ctx.path, method: ctx.method }, e.code);
      else log.debug({ code: e.code, url: ctx.path }, 'client error');
      // A route's own page shows what it refused on purpose; a failure looks the same everywhere.
      const page = e === err && e.status !== 500 ? (ctx.state.errorPage as ErrorPage | undefined) : undefined;
      ctx.status = e.status;
      if (e.status === 503) ctx.set('Retry-After', '30');
      if (e.status === 429 && e.params.seconds) ctx.set('Retry-After', String(e.params.seconds));
      // Before the request picked a language, one the venue (if any) offers.
      const venue = ctx.state.venue as Venue | undefined;
      const locale: Locale =
        (ctx.state.locale as Locale | undefined) ??
        negotiateLocale({
          acceptLanguage: ctx.get('accept-language'),
          allowed: venue?.settings.locales ?? LOCALES,
          fallback: venue?.settings.defaultLocale ?? 'en',
        });
      const key = `errors.${e.code}`;
      const translated = views.t(locale, key, e.params);
      const message =
        translated === key ? (e.expose || page ? e.message : views.t(locale, 'errors.internal')) : translated;
      if (page) page(ctx, { status: e.status, code: e.code, message, locale });
      else if (ctx.accepts('html', 'json') === 'json') ctx.body = { error: { code: e.code, message } };
      else {
        ctx.type = 'html';
        ctx.body = views.render('error.njk', locale, {
          status: e.status,
          code: e.code,
          message,
          venue,
          retry: e.status === 503,
        });
      }
    }
  };
}

function isHttpError(err: unknown): err is { status: number } {
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' && s >= 400 && s < 500;
}
