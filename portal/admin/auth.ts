// Who is asking: the admin session from the cookie, the account behind it, the CSRF
// token bound to the session, and the guards routes declare (login, permission, venue).
import type { Context, Middleware, Next } from 'koa';
import type { AppContext } from '../context.ts';
import { FoyerError } from '../errors.ts';
import { checkCsrf, csrfToken } from '../http/csrf.ts';
import { findAdminById, type AdminAccount } from '../accounts/accounts.ts';
import { findSession, SESSION_COOKIE, IDLE_MS, type AdminSession } from '../accounts/login-sessions.ts';
import { can, type Action } from '../accounts/permissions.ts';
import type { Actor } from '../accounts/audit.ts';
import { findVenueBySlug, type Venue } from '../venues/venues.ts';

export interface AdminState {
  account: AdminAccount;
  session: AdminSession;
  csrf: string;
}

export const PRE_COOKIE = 'foyer_admin_pre';

/** The one route that takes multipart and checks its CSRF token itself. */
const UPLOAD_PATH = /^\/admin\/venues\/[^/]+\/branding\/logo$/;

export function cookie(name: string, value: string, o: { secure: boolean; maxAgeMs?: number; path?: string }): string {
  const parts = [`${name}=${value}`, `Path=${o.path ?? '/admin'}`, 'HttpOnly', 'SameSite=Lax'];
  if (o.maxAgeMs !== undefined) parts.push(`Max-Age=${Math.floor(o.maxAgeMs / 1000)}`);
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}

export const secureCookies = (app: AppContext) => app.config.PUBLIC_URL?.startsWith('https:') ?? false;

export function setSessionCookie(ctx: Context, app: AppContext, id: string): void {
  ctx.append('Set-Cookie', cookie(SESSION_COOKIE, id, { secure: secureCookies(app), maxAgeMs: IDLE_MS }));
}

export function clearSessionCookie(ctx: Context, app: AppContext): void {
  ctx.append('Set-Cookie', cookie(SESSION_COOKIE, '', { secure: secureCookies(app), maxAgeMs: 0 }));
}

/** Loads ctx.state.admin when the cookie names a live session; checks CSRF on every POST. */
export function loadAdmin(app: AppContext): Middleware {
  return async (ctx, next) => {
    const id = ctx.cookies.get(SESSION_COOKIE);
    if (id) {
      const session = await findSession(app.db, id, app.now());
      const account = session && (await findAdminById(app.db, session.adminId));
      if (session && account)
        ctx.state.admin = {
          account,
          session,
          csrf: csrfToken(app.keys, `admin:${session.idHash}`),
        } satisfies AdminState;
    }
    if (ctx.method === 'POST' && ctx.state.admin) {
      // The logo upload is multipart: its route checks the token after reading the body.
      // Any other route refuses multipart, whose fields the parser leaves unread.
      const upload = ctx.is('multipart/form-data') && UPLOAD_PATH.test(ctx.path);
      if (!upload)
        checkAdminCsrf(
          ctx,
          app,
          ctx.is('multipart/form-data') ? undefined : (ctx.request.body as Record<string, unknown> | undefined)?._csrf,
        );
    }
    await next();
  };
}

export function checkAdminCsrf(ctx: Context, app: AppContext, token: unknown): void {
  const admin = ctx.state.admin as AdminState | undefined;
  if (!admin) throw new FoyerError('admin_login_required', 401, 'Please sign in.');
  checkCsrf(app.keys, `admin:${admin.session.idHash}`, token);
}

export function requireLogin(): Middleware {
  return async (ctx, next) => {
    if (!ctx.state.admin) {
      if (ctx.method === 'GET' && ctx.accepts('html', 'json') === 'html')
        return ctx.redirect(`/admin/login?next=${encodeURIComponent(ctx.originalUrl)}`);
      throw new FoyerError('admin_login_required', 401, 'Please sign in.');
    }
    await next();
  };
}

export const adminOf = (ctx: Context): AdminState => ctx.state.admin as AdminState;

export const actorOf = (ctx: Context): Actor => {
  const a = ctx.state.admin as AdminState | undefined;
  return { id: a?.account.id ?? null, email: a?.account.email ?? 'anonymous', ip: ctx.request.ip };
};

/** Refuses an action the account's role does not allow (403). */
export function allow(action: Action): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!can(adminOf(ctx).account, action))
      throw new FoyerError('admin_forbidden', 403, 'Your account may not do this.');
    await next();
  };
}

/**
 * Loads the venue named by :slug into ctx.state.venue and checks the action on it.
 * A venue an operator is not assigned to answers 404, as if it did not exist.
 */
export function allowVenue(app: AppContext, action: Action): Middleware {
  return async (ctx: Context, next: Next) => {
    const account = adminOf(ctx).account;
    const venue = await findVenueBySlug(
      app.db,
      String((ctx as unknown as { params: Record<string, string> }).params.slug),
    );
    if (!venue || (account.role === 'operator' && !account.venueIds.includes(venue.id)))
      throw new FoyerError('admin_venue_not_found', 404, 'There is no such venue, or it is not one of yours.');
    if (!can(account, action, venue.id)) throw new FoyerError('admin_forbidden', 403, 'Your account may not do this.');
    ctx.state.adminVenue = venue satisfies Venue;
    await next();
  };
}

export const venueOf = (ctx: Context): Venue => ctx.state.adminVenue as Venue;
