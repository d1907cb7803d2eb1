// Turns every failure into an answer: a FoyerError keeps its status and localized
// message; a database outage is a 503 with a retry hint; anything else a plain 500
// whose details go to the log only (Koa's `expose` rule).
import type { Middleware } from 'koa';
import { FoyerError } from '../errors.ts';
import { isUnavailable } from '../store/db.ts';
import type { Logger } from '../log.ts';
import type { Views } from './views.ts';
import type { Locale } from '../venues/settings.ts';
import { negotiateLocale } from './i18n.ts';
import { LOCALES } from '../venues/settings.ts';

export function errorHandler(log: Logger, views: Views): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new FoyerError('not_found', 404, 'There is no page at this address.');
    } catch (err) {
      let e: FoyerError;
      if (err instanceof FoyerError) e = err;
      else if (isUnavailable(err)) e = new FoyerError('service_unavailable', 503, 'The service is briefly unavailable. Please try again in a minute.');
      else if (isHttpError(err)) e = new FoyerError(err.status === 413 ? 'body_too_large' : 'bad_request', err.status, err.status === 413 ? 'What was sent is too large.' : 'The request could not be understood.');
      else e = new FoyerError('internal', 500, 'Something went wrong on our side.');
      if (e.status >= 500) log.error({ err, url: ctx.path, method: ctx.method }, e.code);
      else log.debug({ code: e.code, url: ctx.path }, 'client error');
      ctx.status = e.status;
      if (e.status === 503) ctx.set('Retry-After', '30');
      if (e.status === 429 && e.params.seconds) ctx.set('Retry-After', String(e.params.seconds));
      const locale: Locale = (ctx.state.locale as Locale | undefined) ?? negotiateLocale({ acceptLanguage: ctx.get('accept-language'), allowed: LOCALES, fallback: 'en' });
      const key = `errors.${e.code}`;
      const translated = views.t(locale, key, e.params);
      const message = translated === key ? (e.expose ? e.message : views.t(locale, 'errors.internal')) : translated;
      if (ctx.accepts('html', 'json') === 'json') ctx.body = { error: { code: e.code, message } };
      else {
        ctx.type = 'html';
        ctx.body = views.render('error.njk', locale, { status: e.status, code: e.code, message, venue: ctx.state.venue, retry: e.status === 503 });
      }
    }
  };
}

function isHttpError(err: unknown): err is { status: number } {
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' && s >= 400 && s < 500;
}
