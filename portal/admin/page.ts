// Rendering an admin page: the account, its CSRF token, what it may do (for menus),
// and the admin's language (?lang=, then the foyer_admin_lang cookie, then the browser).
import type { Context, Middleware } from 'koa';
import type { AppContext } from '../context.ts';
import { isLocale, negotiateLocale } from '../http/i18n.ts';
import { LOCALES, type Locale } from '../venues/settings.ts';
import { can, type Action } from '../accounts/permissions.ts';
import { cookie, secureCookies, type AdminState } from './auth.ts';
import { formatTime, venueTimeZone } from '../venues/time-zone.ts';
import type { Venue } from '../venues/venues.ts';

const LANG_COOKIE = 'foyer_admin_lang';

export function adminLocale(app: AppContext): Middleware {
  return async (ctx, next) => {
    const q = ctx.query.lang;
    if (isLocale(q))
      ctx.append('Set-Cookie', cookie(LANG_COOKIE, q, { secure: secureCookies(app), maxAgeMs: 365 * 86_400_000 }));
    ctx.state.locale = negotiateLocale({
      query: q,
      cookie: ctx.cookies.get(LANG_COOKIE),
      acceptLanguage: ctx.get('accept-language'),
      allowed: LOCALES,
      fallback: 'en',
    });
    await next();
  };
}

export function render(
  app: AppContext,
  ctx: Context,
  name: string,
  vars: Record<string, unknown> = {},
  status = 200,
): void {
  const admin = ctx.state.admin as AdminState | undefined;
  const locale = ctx.state.locale as Locale;
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = app.views.render(`admin/${name}.njk`, locale, {
    ...vars,
    admin: admin?.account,
    csrf: admin?.csrf,
    path: ctx.path,
    done: typeof ctx.query.done === 'string' && /^[a-z_]+$/.test(ctx.query.done) ? ctx.query.done : undefined,
    can: (action: Action, venueId?: string) => Boolean(admin && can(admin.account, action, venueId)),
    // In the venue's zone on a venue's pages (else UTC), named, so no time is read in the wrong one.
    fmtTime: (ms: number | null | undefined) =>
      formatTime(ms, locale, venueTimeZone(ctx.state.adminVenue as Venue | undefined)),
  });
}

/** 303 after a POST, so reload does not resend it; `flash` is a locale key shown once via ?done=. */
export function seeOther(ctx: Context, url: string, flash?: string): void {
  ctx.status = 303;
  if (!flash) return ctx.redirect(url);
  // The query goes before a #fragment, or the browser keeps it in the fragment and the notice never shows.
  const [path, fragment] = url.split('#', 2);
  ctx.redirect(
    `${path}${path.includes('?') ? '&' : '?'}done=${encodeURIComponent(flash)}${fragment === undefined ? '' : `#${fragment}`}`,
  );
}

/** Zod issues as { 'dotted.path': 'message' } for showing next to fields. */
export function fieldErrors(
  issues: readonly { path: PropertyKey[]; message: string }[],
  prefix = '',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const k = prefix + i.path.map(String).join('.');
    out[k] ??= i.message;
  }
  return out;
}

export const str = (v: unknown): string =>
  Array.isArray(v)
    ? String(v[v.length - 1] ?? '')
    : typeof v === 'string'
      ? v
      : v === undefined || v === null
        ? ''
        : String(v);
export const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined || v === '' ? [] : [String(v)];
