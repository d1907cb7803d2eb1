// Everything under /p: the guest's way from the NAS redirect to "you are online".
// Routes are thin; each step lives in screen1.ts, screen2.ts and the capabilities.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { AppContext } from '../context.ts';
import { FoyerError } from '../errors.ts';
import { negotiateLocale } from '../http/i18n.ts';
import { LOCALES, type Locale } from '../venues/settings.ts';
import type { Venue } from '../venues/venues.ts';
import { entry, startPage, submitStart } from './screen1.ts';
import { codePage, onlinePage, resend, submitCode } from './screen2.ts';
import type { ConsentContent } from '../consent/consent-page.ts';
import { guestCss, themeCss, themeHash } from './assets.ts';
import { renderPage } from './pages.ts';
import { pickLocale, venueFor } from './request.ts';
import { afterLogin } from './after-login.ts';

export function guestRoutes(app: AppContext): Router {
  const router = new Router({ prefix: '/p' });
  router.use(guestErrors(app));

  router.get('/static/guest.css', (kctx) => {
    const css = guestCss();
    kctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    kctx.set('ETag', css.etag);
    if (kctx.get('if-none-match') === css.etag) {
      kctx.status = 304;
      return;
    }
    kctx.type = 'text/css; charset=utf-8';
    kctx.body = css.body;
  });

  // A NAS's after-login return (res=success …) first; a login redirect goes on to screen 1.
  router.get('/:slug', (kctx, next) => afterLogin(app, kctx, next), (kctx) => entry(app, kctx));
  router.get('/:slug/start', (kctx) => startPage(app, kctx));
  router.post('/:slug/start', (kctx) => submitStart(app, kctx));
  router.get('/:slug/code', (kctx) => codePage(app, kctx));
  router.post('/:slug/code', (kctx) => submitCode(app, kctx));
  router.post('/:slug/resend', (kctx) => resend(app, kctx));
  router.get('/:slug/online', (kctx) => onlinePage(app, kctx));
  router.get('/:slug/terms', (kctx) => legal(app, kctx, 'terms'));
  router.get('/:slug/privacy', (kctx) => legal(app, kctx, 'privacy'));
  router.get('/:slug/theme.css', async (kctx) => {
    const venue = await venueFor(app, kctx);
    const css = themeCss(venue);
    const etag = `"${themeHash(css)}"`;
    // Pages link it with its content hash (?v=): that address never changes content, so
    // it is cached for good; any other address revalidates, and a match is a 304.
    kctx.set('Cache-Control', kctx.query.v === etag.slice(1, -1) ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate');
    kctx.set('ETag', etag);
    if (kctx.get('if-none-match') === etag) {
      kctx.status = 304;
      return;
    }
    kctx.type = 'text/css; charset=utf-8';
    kctx.body = css;
  });
  return router;
}

/** Terms and privacy exactly as in the page version the guest was shown (?v=). */
async function legal(app: AppContext, kctx: Context, page: 'terms' | 'privacy'): Promise<void> {
  const venue = await venueFor(app, kctx);
  const v = typeof kctx.query.v === 'string' ? kctx.query.v : '';
  // The way back to screen 1: its entry token (checked when followed), or an older page's flow id.
  const f = typeof kctx.query.f === 'string' && /^[0-9a-f-]{36}$/.test(kctx.query.f) ? kctx.query.f : undefined;
  const t = typeof kctx.query.t === 'string' && /^[A-Za-z0-9_.-]{1,4000}$/.test(kctx.query.t) ? kctx.query.t : undefined;
  let version: { id: string; content: ConsentContent } | undefined;
  if (v) {
    const stored = /^[0-9a-f]{64}$/.test(v) ? await app.consentPages.storedVersion(v) : undefined;
    if (!stored || stored.venueId !== venue.id) {
      pickLocale(kctx, venue);
      throw new FoyerError('guest_version_unknown', 404, 'This page version is not known.');
    }
    version = stored;
  } else version = await app.consentPages.currentVersion(venue, pickLocale(kctx, venue));
  kctx.state.locale = version.content.locale;
  kctx.type = 'html';
  kctx.body = app.consentPages.renderLegal(version.id, version.content, page, { f, t });
}

/** Guest errors as a guest page in the guest's language, with a way back to the start. */
function guestErrors(app: AppContext) {
  return async (kctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof FoyerError) || err.status === 500) throw err;
      const venue = kctx.state.venue as Venue | undefined;
      const locale: Locale =
        (kctx.state.locale as Locale | undefined) ??
        negotiateLocale({ acceptLanguage: kctx.get('accept-language'), allowed: venue?.settings.locales ?? LOCALES, fallback: venue?.settings.defaultLocale ?? 'en' });
      const key = `errors.${err.code}`;
      const translated = app.views.t(locale, key, err.params);
      if (err.status === 429 && err.params.seconds) kctx.set('Retry-After', String(err.params.seconds));
      renderPage(app, kctx, 'error', locale, venue, {
        message: translated === key ? err.message : translated,
        startHref: venue ? `/p/${venue.slug}` : undefined,
      }, err.status);
    }
  };
}
