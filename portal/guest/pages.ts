// Rendering the guest pages that are not part of a consent version (screen 2, the
// hand-back, "you are online", errors), with the same layout, stylesheet and switcher.
import type { Context } from 'koa';
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { localeStrings } from '../http/i18n.ts';
import { randomBytes } from 'node:crypto';
import nunjucks from 'nunjucks';
import { TEMPLATES_DIR, type Views } from '../http/views.ts';
import type { ErrorPage } from '../http/error-handler.ts';
import { assetHrefs, guestCss } from './assets.ts';

/** What a guest page's template is given: the layout's values and the page's own. */
function pageContext(venue: Venue | undefined, vars: Record<string, unknown>): Record<string, unknown> {
  const languages = (venue?.settings.locales ?? ['en', 'bg']).map((code) => ({
    code,
    name: localeStrings(TEMPLATES_DIR, code)['lang.name'] ?? code,
  }));
  return {
    venue: venue ? { slug: venue.slug, name: venue.name, branding: venue.settings.branding } : { name: 'Wi-Fi' },
    languages,
    assets: venue ? assetHrefs(venue) : { css: `/p/static/guest.css?v=${guestCss().etag.slice(1, -1)}` },
    ...vars,
  };
}

function answer(kctx: Context, status: number, html: string): void {
  kctx.status = status;
  // What kctx.type = 'html' sets, without looking the type up (screen 1 does the same).
  kctx.set('Content-Type', 'text/html; charset=utf-8');
  kctx.body = html;
}

export function renderPage(
  app: AppContext,
  kctx: Context,
  page: string,
  locale: Locale,
  venue: Venue | undefined,
  vars: Record<string, unknown>,
  status = 200,
): void {
  answer(kctx, status, renderedPage(app.views, page, locale, venue, vars));
}

/** A guest page through the template engine, every value as it is. */
export const renderedPage = (
  views: Views,
  page: string,
  locale: Locale,
  venue: Venue | undefined,
  vars: Record<string, unknown>,
): string => views.render(`guest/${page}.njk`, locale, pageContext(venue, vars));

/** A request's own values on a page (a flow id, a CSRF token, a masked number, a URL): shown as escaped text only. */
export type Slots = Record<string, string | undefined>;

// Stand-ins for slots while a skeleton is rendered: letters and digits, which escaping and
// translation leave whole, with a part drawn per process, so no value a request (or an
// admin's wording) carries can contain one.
const SALT = randomBytes(12).toString('hex');
const mark = (name: string) => `slot${SALT}${name}end`;
const MARKS = new RegExp(`slot${SALT}([A-Za-z]+)end`);
// Per template environment (a test may make its own): keyed by the page, the locale and
// everything else its template is given; bounded.
// The engine's own escaping (what autoescape applies to every value shown); not in its typings.
const escape = (nunjucks.lib as unknown as { escape(s: string): string }).escape;
const skeletons = new WeakMap<Views, Map<string, { text: string[]; names: string[] }>>();

/**
 * A guest page whose request-specific values are `slots`: rendered through the template
 * engine once per page, locale and everything else it shows (the key is all of that, as
 * JSON), cut at the stand-ins, and each request's values put in escaped as the engine
 * escapes them. `build` makes the page's values from a slot's text (a stand-in, or the
 * value itself when empty: a template may test that). A slot must only ever be shown,
 * directly or through t(), never compared or filtered; test/guest/slotted-pages.test.ts
 * compares each page with the engine's own render byte for byte.
 */
export function renderSlotted(
  app: AppContext,
  kctx: Context,
  page: string,
  locale: Locale,
  venue: Venue | undefined,
  slots: Slots,
  build: (slot: (name: string) => string | undefined) => Record<string, unknown>,
  status = 200,
): void {
  answer(kctx, status, slottedHtml(app.views, page, locale, venue, slots, build));
}

export function slottedHtml(
  views: Views,
  page: string,
  locale: Locale,
  venue: Venue | undefined,
  slots: Slots,
  build: (slot: (name: string) => string | undefined) => Record<string, unknown>,
): string {
  const context = pageContext(
    venue,
    build((name) => (slots[name] ? mark(name) : slots[name])),
  );
  const key = `${page}|${locale}|${JSON.stringify(context)}`;
  let byKey = skeletons.get(views);
  if (!byKey) skeletons.set(views, (byKey = new Map()));
  let sk = byKey.get(key);
  if (!sk) {
    const parts = views.render(`guest/${page}.njk`, locale, context).split(MARKS);
    sk = { text: parts.filter((_, i) => i % 2 === 0), names: parts.filter((_, i) => i % 2 === 1) };
    if (byKey.size >= 500) byKey.clear();
    byKey.set(key, sk);
  }
  let html = sk.text[0];
  for (let i = 0; i < sk.names.length; i++) html += escape(slots[sk.names[i]]!) + sk.text[i + 1];
  return html;
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
