// What guest routes read from a request (with-flow.ts runs them for every screen): the
// flow (named by the form, the URL or the cookie, and opened only with the browser secret
// in the signed cookie), the guest's language, the CSRF token, the real client IP; and the
// cookies and redirects they answer with.
import type { Context } from 'koa';
import type { AppContext } from '../context.ts';
import { FoyerError } from '../errors.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { negotiateLocale } from '../http/i18n.ts';
import { checkCsrf } from '../http/csrf.ts';
import type { Flow } from '../signup/flows.ts';
import { heldFlow } from '../signup/held-flow.ts';

export const FLOW_COOKIE = 'foyer_flow';
/**
 * The page the guest first asked for, from the NAS redirect. It rides in its own cookie,
 * not in the entry token: the token is kept in the ledger's evidence for good, and the
 * guest's browsing must not outlive the flow (which retention deletes).
 */
const DEST_COOKIE = 'foyer_dest';

export function pickLocale(kctx: Context, venue: Venue, flow?: Pick<Flow, 'locale'>): Locale {
  const locale = negotiateLocale({
    query: singleQuery(kctx).lang,
    cookie: flow?.locale,
    acceptLanguage: kctx.get('accept-language'),
    allowed: venue.settings.locales,
    fallback: venue.settings.defaultLocale,
  });
  kctx.state.locale = locale;
  return locale;
}

const body = (kctx: Context): Record<string, unknown> =>
  ((kctx.request as { body?: unknown }).body as Record<string, unknown>) ?? {};

export function formBody(kctx: Context): Record<string, unknown> {
  const b = body(kctx);
  return b && typeof b === 'object' && !Array.isArray(b) ? b : {};
}

const COOKIE_FLOW = Symbol('cookieFlow');

/** The flow id and browser secret this browser's signed cookie holds. */
export function cookieFlow(kctx: Context): { id: string; secret: string } | undefined {
  // Most screen 1 requests (captive probes, first visits) send no cookie at all: Koa's cookie jar is not made for them.
  if (!kctx.headers.cookie) return undefined;
  // Read once per request (its signature is an HMAC): a screen asks for it up to three times.
  const state = kctx.state as { [COOKIE_FLOW]?: { id: string; secret: string } | null };
  if (state[COOKIE_FLOW] !== undefined) return state[COOKIE_FLOW] ?? undefined;
  const v = kctx.cookies.get(FLOW_COOKIE, { signed: true });
  const m = v ? /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{16,64})$/.exec(v) : null;
  return (state[COOKIE_FLOW] = m ? { id: m[1], secret: m[2] } : null) ?? undefined;
}

function flowIdOf(kctx: Context): string | undefined {
  const fromForm = formBody(kctx).f;
  const fromQuery = kctx.query.f;
  for (const v of [fromForm, Array.isArray(fromQuery) ? fromQuery[0] : fromQuery])
    if (typeof v === 'string' && v) return v;
  return cookieFlow(kctx)?.id;
}

export const flowExpired = () =>
  new FoyerError('guest_flow_expired', 410, 'Your sign-in has expired. Please start again.');

/**
 * The request's flow, when this browser started it (its cookie holds the flow's secret);
 * otherwise a 410 page that offers to start again. A flow id alone, from a URL or a form,
 * opens nothing: it is not a secret.
 */
export async function flowFor(app: AppContext, kctx: Context, venue: Venue): Promise<Flow> {
  const flow = await ownFlow(app, kctx, venue, flowIdOf(kctx));
  if (!flow) throw flowExpired();
  return flow;
}

/** The flow `id` names (by default the cookie's), if this browser holds its secret. */
export async function ownFlow(
  app: AppContext,
  kctx: Context,
  venue: Venue,
  id = cookieFlow(kctx)?.id,
): Promise<Flow | undefined> {
  return (await heldFlow(app, venue.id, id, cookieFlow(kctx), app.now())).own;
}

export function rememberFlow(
  app: AppContext,
  kctx: Context,
  flow: { id: string; secret: string; expiresAt: number },
): void {
  kctx.cookies.set(FLOW_COOKIE, `${flow.id}.${flow.secret}`, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path: '/p/',
    secure: app.config.PUBLIC_URL?.startsWith('https:') && kctx.secure,
    expires: new Date(flow.expiresAt),
    overwrite: true,
  });
}

export function rememberDestination(app: AppContext, kctx: Context, url: string | undefined, ttlMs: number): void {
  if (!url) return;
  kctx.cookies.set(DEST_COOKIE, url, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path: '/p/',
    secure: app.config.PUBLIC_URL?.startsWith('https:') && kctx.secure,
    maxAge: ttlMs,
    overwrite: true,
  });
}

export const rememberedDestination = (kctx: Context): string | undefined =>
  kctx.cookies.get(DEST_COOKIE, { signed: true }) || undefined;

/** The form's CSRF token, bound to the flow id the form names: checked before anything is read. */
export function requireCsrf(app: AppContext, kctx: Context): void {
  const f = formBody(kctx).f;
  checkCsrf(app.keys, typeof f === 'string' ? f : '', formBody(kctx).csrf);
}

/** The address the request came from (the proxy's header only when TRUST_PROXY is set). */
export function clientIp(kctx: Context): string {
  const ip = kctx.request.ip ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

const QUERY = Symbol('singleQuery');

/**
 * The query string's first value of each parameter (names up to 64 characters, values cut
 * at 2,048), read once per request: screen 1 asks for it three times, and Koa's own
 * kctx.query gathers every repeated value first. Read as URLSearchParams reads it, without
 * building one: a plain name=value is sliced, one with %XX or + decoded with
 * decodeURIComponent, and only a pair that fails that (a stray %, bytes that are not
 * UTF-8) goes through URLSearchParams itself, whose lenient decoding is the rule.
 */
export function singleQuery(kctx: Context): Record<string, string> {
  const state = kctx.state as { [QUERY]?: Record<string, string> };
  return (state[QUERY] ??= parseSingleQuery(kctx.querystring));
}

export function parseSingleQuery(qs: string): Record<string, string> {
  // A prototype-less object: "__proto__" is a name like any other.
  const out: Record<string, string> = Object.create(null);
  // URLSearchParams drops one leading "?" (a redirect to "/p/x??a=1" sends "?a=1").
  let start = qs.startsWith('?') ? 1 : 0;
  while (start <= qs.length) {
    let end = qs.indexOf('&', start);
    if (end < 0) end = qs.length;
    if (end > start) {
      const eq = qs.indexOf('=', start);
      const split = eq >= 0 && eq < end ? eq : end;
      const k = decodePart(qs.slice(start, split));
      const v = split < end ? decodePart(qs.slice(split + 1, end)) : '';
      if (k === undefined || v === undefined) {
        // The "&" keeps a leading "?" of a later pair a part of its name, as it is in the whole string.
        const [pair] = new URLSearchParams(`&${qs.slice(start, end)}`);
        if (pair) keep(out, pair[0], pair[1]);
      } else keep(out, k, v);
    }
    start = end + 1;
  }
  return out;
}

function keep(out: Record<string, string>, k: string, v: string): void {
  if (k.length <= 64 && !(k in out)) out[k] = v.slice(0, 2048);
}

/** One name or value decoded, or undefined when only URLSearchParams' lenient rules can read it. */
function decodePart(s: string): string | undefined {
  const plus = s.includes('+');
  if (!plus && !s.includes('%')) return s;
  try {
    return decodeURIComponent(plus ? s.replace(/\+/g, ' ') : s);
  } catch {
    return undefined;
  }
}

/** What Koa's redirect leaves as it is in a Location header (encodeurl's set): anything else goes through Koa. */
const PLAIN_LOCATION = /^[\x21\x23-\x3B\x3D\x3F-\x5F\x61-\x7A\x7C\x7E]*$/;
const LONE_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const HTML_SPECIAL = /[&<>"']/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * A 303 to `url`, as kctx.redirect answers a browser (Location, and "Redirecting to …" as
 * HTML), without what that costs on every form a guest sends: its Accept negotiation (a
 * browser takes the HTML) and its encoding pass over a URL that has nothing to encode (the
 * portal's own paths, a NAS URL already normalised by new URL). An odd URL goes through Koa.
 */
export function seeOther(kctx: Context, url: string): void {
  const location = /^https?:\/\//i.test(url) ? new URL(url).toString() : url;
  if (!PLAIN_LOCATION.test(location) || LONE_PERCENT.test(location)) {
    kctx.redirect(url);
    kctx.status = 303;
    return;
  }
  kctx.status = 303;
  kctx.set('Location', location);
  kctx.set('Content-Type', 'text/html; charset=utf-8');
  kctx.body = `Redirecting to ${location.replace(HTML_SPECIAL, (c) => ENTITY[c])}.`;
}
