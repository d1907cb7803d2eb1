// Sign in, sign out, sign out everywhere. The login form's CSRF token is bound to a
// random pre-login cookie; a fresh session id is issued at every login.
import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { checkCsrf, csrfToken } from '../../http/csrf.ts';
import { FoyerError } from '../../errors.ts';
import { checkPassword, findAdminByEmail, hashPassword } from '../../accounts/accounts.ts';
import { createSession, endAllSessions, endSession } from '../../accounts/login-sessions.ts';
import { recordFailure, releaseAttempt, reserveAttempt } from '../../accounts/throttle.ts';
import { audit } from '../../accounts/audit.ts';
import {
  adminOf,
  actorOf,
  clearSessionCookie,
  cookie,
  PRE_COOKIE,
  requireLogin,
  secureCookies,
  setSessionCookie,
} from '../auth.ts';
import { render, seeOther, str } from '../page.ts';

// Compared against when the address is unknown, so timing does not tell which addresses exist.
const DUMMY_HASH = hashPassword('not-a-real-password-for-timing');

const loginInput = z.object({ email: z.string().trim().toLowerCase().max(254), password: z.string().max(200) });

/** Only a path under /admin: never an open redirect to elsewhere. */
const safeNext = (v: unknown) => {
  const s = str(v);
  return /^\/admin(\/[^/\\]|$|\?)/.test(s) && !s.startsWith('//') ? s : '/admin';
};

export function loginRoutes(r: Router, app: AppContext): void {
  const secure = secureCookies(app);
  const pre = (ctx: RouterContext): string => {
    let v = ctx.cookies.get(PRE_COOKIE);
    if (!v || !/^[A-Za-z0-9_-]{22}$/.test(v)) {
      v = randomBytes(16).toString('base64url');
      ctx.append('Set-Cookie', cookie(PRE_COOKIE, v, { secure }));
    }
    return v;
  };

  r.get('/login', async (ctx) => {
    if (ctx.state.admin) return ctx.redirect(safeNext(ctx.query.next));
    render(app, ctx, 'login', {
      loginCsrf: csrfToken(app.keys, `login:${pre(ctx)}`),
      next: safeNext(ctx.query.next),
      email: '',
    });
  });

  r.post('/login', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const preId = ctx.cookies.get(PRE_COOKIE);
    checkCsrf(app.keys, `login:${preId ?? ''}`, body._csrf);
    const parsed = loginInput.safeParse({ email: str(body.email), password: str(body.password) });
    const email = parsed.success ? parsed.data.email : '';
    const ip = ctx.request.ip;
    const again = (code: string, status: number, params: Record<string, string | number> = {}) =>
      render(
        app,
        ctx,
        'login',
        {
          loginCsrf: csrfToken(app.keys, `login:${pre(ctx)}`),
          next: safeNext(body.next),
          email,
          error: app.views.t(ctx.state.locale, `errors.${code}`, params),
        },
        status,
      );
    let attempt;
    try {
      // Counted before the slow hash, so parallel guesses cannot all pass the check.
      attempt = await reserveAttempt(app.db, { email, ip }, app.now());
    } catch (err) {
      if (err instanceof FoyerError && err.code === 'admin_locked') {
        ctx.set('Retry-After', String(err.params.seconds));
        return again('admin_locked', 429, err.params);
      }
      throw err;
    }
    const account = parsed.success ? await findAdminByEmail(app.db, email) : undefined;
    const ok = account
      ? await checkPassword(parsed.data!.password, account.passwordHash)
      : (await checkPassword('x', await DUMMY_HASH), false);
    if (!account || !ok) {
      const locked = await recordFailure(app.db, { email, ip }, attempt, app.now());
      await audit(
        app.db,
        { id: null, email: email || '(none)', ip },
        'login.failed',
        email || null,
        locked ? 'locked' : undefined,
      );
      if (locked) return again('admin_locked', 429, { minutes: 15 });
      return again('admin_login_failed', 401);
    }
    await releaseAttempt(app.db, { email, ip });
    // A fresh id at every login (no session fixation).
    const old = ctx.state.admin;
    if (old) await endSession(app.db, adminOf(ctx).session.idHash);
    const s = await createSession(app.db, account.id, { ip, userAgent: ctx.get('user-agent') }, app.now());
    setSessionCookie(ctx, app, s.id);
    await audit(app.db, { id: account.id, email: account.email, ip }, 'login');
    seeOther(ctx, safeNext(body.next));
  });

  r.post('/logout', requireLogin(), async (ctx) => {
    await endSession(app.db, adminOf(ctx).session.idHash);
    await audit(app.db, actorOf(ctx), 'logout');
    clearSessionCookie(ctx, app);
    seeOther(ctx, '/admin/login');
  });

  r.post('/logout-everywhere', requireLogin(), async (ctx) => {
    const n = await endAllSessions(app.db, adminOf(ctx).account.id);
    await audit(app.db, actorOf(ctx), 'logout.everywhere', null, { sessions: n });
    clearSessionCookie(ctx, app);
    seeOther(ctx, '/admin/login');
  });
}
