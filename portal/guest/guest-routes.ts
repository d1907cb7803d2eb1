// Everything under /p: the guest's way from the NAS redirect to "you are online".
// Routes are thin; each step lives in screen1.ts, screen2.ts and the capabilities.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppContext } from '../context.ts';
import { FoyerError } from '../errors.ts';
import { errorPage } from '../http/error-handler.ts';
import { entry, startPage, submitStart } from './screen1.ts';
import { codePage, onlineFlow, onlinePage, resend, submitCode } from './screen2.ts';
import type { ConsentContent } from '../consent/consent-page.ts';
import { guestCss, themeCss, themeHash } from './assets.ts';
import { guestErrorPage } from './pages.ts';
import { pickLocale } from './request.ts';
import { guestState, loadVenue, withCsrf, withFlow } from './with-flow.ts';
import { afterLogin } from './after-login.ts';

export function guestRoutes(app: AppContext): Router {
  const router = new Router({ prefix: '/p' });
  router.use(errorPage(guestErrorPage(app)));
  router.param('slug', loadVenue(app));

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
  router.get(
    '/:slug',
    (kctx, next) => afterLogin(app, kctx, next),
    (kctx) => entry(app, kctx),
  );
  router.get('/:slug/start', (kctx) => startPage(app, kctx));
  router.post('/:slug/start', withCsrf(app), (kctx) => submitStart(app, kctx));
  router.get('/:slug/code', withFlow(app, { state: 'code_sent' }), (kctx) => codePage(app, kctx));
  router.post('/:slug/code', withFlow(app, { state: 'code_sent' }), (kctx) => submitCode(app, kctx));
  router.post('/:slug/resend', withFlow(app, { state: 'code_sent' }), (kctx) => resend(app, kctx));
  router.get('/:slug/online', withFlow(app, { state: 'done', find: onlineFlow }), (kctx) => onlinePage(app, kctx));
  router.get('/:slug/terms', (kctx) => legal(app, kctx, 'terms'));
  router.get('/:slug/privacy', (kctx) => legal(app, kctx, 'privacy'));
  router.get('/:slug/theme.css', (kctx) => {
    const css = themeCss(guestState(kctx).venue);
    const etag = `"${themeHash(css)}"`;
    // Pages link it with its content hash (?v=): that address never changes content, so
    // it is cached for good; any other address revalidates, and a match is a 304.
    kctx.set(
      'Cache-Control',
      kctx.query.v === etag.slice(1, -1) ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate',
    );
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
  const { venue } = guestState(kctx);
  const v = typeof kctx.query.v === 'string' ? kctx.query.v : '';
  // The way back to screen 1: its entry token (checked when followed), or an older page's flow id.
  const f = typeof kctx.query.f === 'string' && /^[0-9a-f-]{36}$/.test(kctx.query.f) ? kctx.query.f : undefined;
  const t =
    typeof kctx.query.t === 'string' && /^[A-Za-z0-9_.-]{1,4000}$/.test(kctx.query.t) ? kctx.query.t : undefined;
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
