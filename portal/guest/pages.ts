// Rendering the guest pages that are not part of a consent version (screen 2, the
// hand-back, "you are online", errors), with the same layout, stylesheet and switcher.
import type { Context } from 'koa';
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { localeStrings } from '../http/i18n.ts';
import { TEMPLATES_DIR } from '../http/views.ts';
import type { ErrorPage } from '../http/error-handler.ts';
import { assetHrefs, guestCss } from './assets.ts';

export function renderPage(
  app: AppContext,
  kctx: Context,
  page: string,
  locale: Locale,
  venue: Venue | undefined,
  vars: Record<string, unknown>,
  status = 200,
): void {
  const languages = (venue?.settings.locales ?? ['en', 'bg']).map((code) => ({
    code,
    name: localeStrings(TEMPLATES_DIR, code)['lang.name'] ?? code,
  }));
  kctx.status = status;
  // What kctx.type = 'html' sets, without looking the type up (screen 1 does the same).
  kctx.set('Content-Type', 'text/html; charset=utf-8');
  kctx.body = app.views.render(`guest/${page}.njk`, locale, {
    venue: venue ? { slug: venue.slug, name: venue.name, branding: venue.settings.branding } : { name: 'Wi-Fi' },
    languages,
    assets: venue ? assetHrefs(venue) : { css: `/p/static/guest.css?v=${guestCss().etag.slice(1, -1)}` },
    ...vars,
  });
}

/** A guest's refusal (http/error-handler.ts chose its status and message) as a guest page, with a way back to the start. */
export const guestErrorPage =
  (app: AppContext): ErrorPage =>
  (kctx, e) => {
    const venue = kctx.state.venue as Venue | undefined;
    renderPage(
      app,
      kctx,
      'error',
      e.locale,
      venue,
      { message: e.message, startHref: venue ? `/p/${venue.slug}` : undefined },
      e.status,
    );
  };

/** "3 h 59 min" or "45 minutes", in the guest's language. */
export function durationText(app: AppContext, locale: Locale, ms: number): string {
  const total = Math.max(1, Math.round(ms / 60_000));
  const hours = Math.floor(total / 60);
  return hours > 0
    ? app.views.t(locale, 'guest.duration.hours', { hours, minutes: total % 60 })
    : app.views.t(locale, 'guest.duration.minutes', { minutes: total });
}
