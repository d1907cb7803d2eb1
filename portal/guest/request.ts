// What every guest route needs from a request: the venue, the flow (from the form, the
// URL or the signed cookie, in that order), the guest's language, the real client IP.
import type { Context } from 'koa';
import type { AppContext } from '../context.ts';
import { FoyerError } from '../errors.ts';
import { findVenueBySlug, type Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { negotiateLocale } from '../http/i18n.ts';
import { checkCsrf } from '../http/csrf.ts';
import { loadFlow, type Flow } from './flows.ts';

export const FLOW_COOKIE = 'foyer_flow';

// Parsed venues by id, reused while the stored row is unchanged: validating the settings
// on every hit cost more than the query. Every request still reads the row, so a change
// made by any process shows at once.
const parsedVenues = new Map<string, { raw: string; venue: Venue }>();

async function venueBySlug(app: AppContext, slug: string): Promise<Venue | undefined> {
  const r = await app.db.get<{ id: string; slug: string; name: string; country: string; settings: string; created_at: number }>('SELECT * FROM venues WHERE slug = ?', [slug]);
  if (!r) return undefined;
  const raw = `${r.slug}|${r.name}|${r.country}|${r.settings}`;
  const hit = parsedVenues.get(r.id);
  if (hit && hit.raw === raw) return hit.venue;
  const venue = await findVenueBySlug(app.db, slug);
  if (!venue) return undefined;
  if (parsedVenues.size > 1000) parsedVenues.clear();
  parsedVenues.set(r.id, { raw, venue });
  return venue;
}

export async function venueFor(app: AppContext, kctx: Context): Promise<Venue> {
  const slug = String(kctx.params.slug ?? '');
  const venue = /^[a-z0-9][a-z0-9-]{0,62}$/.test(slug) ? await venueBySlug(app, slug) : undefined;
  if (!venue) throw new FoyerError('venue_not_found', 404, 'There is no Wi-Fi sign-in page at this address.');
  kctx.state.venue = venue;
  return venue;
}

export function pickLocale(kctx: Context, venue: Venue, flow?: Pick<Flow, 'locale'>): Locale {
  const q = kctx.query.lang;
  const locale = negotiateLocale({
    query: Array.isArray(q) ? q[0] : q,
    cookie: flow?.locale,
    acceptLanguage: kctx.get('accept-language'),
    allowed: venue.settings.locales,
    fallback: venue.settings.defaultLocale,
  });
  kctx.state.locale = locale;
  return locale;
}

const body = (kctx: Context): Record<string, unknown> => (kctx.request as { body?: unknown }).body as Record<string, unknown> ?? {};

export function formBody(kctx: Context): Record<string, unknown> {
  const b = body(kctx);
  return b && typeof b === 'object' && !Array.isArray(b) ? b : {};
}

function flowIdOf(kctx: Context): string | undefined {
  const fromForm = formBody(kctx).f;
  const fromQuery = kctx.query.f;
  for (const v of [fromForm, Array.isArray(fromQuery) ? fromQuery[0] : fromQuery]) if (typeof v === 'string' && v) return v;
  return kctx.cookies.get(FLOW_COOKIE, { signed: true }) || undefined;
}

/** The request's flow, or a 410 page that offers to start again. */
export async function flowFor(app: AppContext, kctx: Context, venue: Venue): Promise<Flow> {
  const id = flowIdOf(kctx);
  const flow = id ? await loadFlow(app.db, app, id, venue.id, app.now()) : undefined;
  if (!flow) throw new FoyerError('guest_flow_expired', 410, 'Your sign-in has expired. Please start again.');
  return flow;
}

export function rememberFlow(app: AppContext, kctx: Context, flow: Flow): void {
  kctx.cookies.set(FLOW_COOKIE, flow.id, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    path: '/p/',
    secure: app.config.PUBLIC_URL?.startsWith('https:') && kctx.secure,
    expires: new Date(flow.expiresAt),
    overwrite: true,
  });
}

export function requireCsrf(app: AppContext, kctx: Context, flow: Flow): void {
  checkCsrf(app.keys, flow.id, formBody(kctx).csrf);
}

/** The address the request came from (the proxy's header only when TRUST_PROXY is set). */
export function clientIp(kctx: Context): string {
  const ip = kctx.request.ip ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export function singleQuery(kctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(kctx.query)) {
    const s = Array.isArray(v) ? v[0] : v;
    if (typeof s === 'string' && k.length <= 64) out[k] = s.slice(0, 2048);
  }
  return out;
}
