// Everything under /admin, plus /logos/<id> (venue logos guests load). Each route is a
// short chain: sign-in, permission (permissions.ts), then a thin handler.
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { readFileSync } from 'node:fs';
import type { AppContext } from '../context.ts';
import { templatePath } from '../http/views.ts';
import { loadLogo } from '../venues/logos.ts';
import { loadAdmin, requireLogin } from './auth.ts';
import { adminLocale } from './page.ts';
import { loginRoutes } from './routes/login.ts';
import { homeRoutes } from './routes/home.ts';
import { brandingRoutes } from './routes/branding.ts';
import { settingsRoutes } from './routes/settings.ts';
import { consentRoutes } from './routes/consents.ts';
import { networkRoutes } from './routes/network.ts';
import { accountRoutes } from './routes/accounts.ts';
import { sessionActionRoutes } from './routes/session-actions.ts';
import type { Disconnector } from '../access/disconnect-request.ts';

export interface AdminDeps {
  /** Sends RFC 5176 Disconnect-Requests (radius/coa-client.ts); without it the console cannot disconnect. */
  disconnector?: (app: AppContext) => Disconnector;
}

export function adminRoutes(app: AppContext, deps: AdminDeps = {}): Middleware {
  const styles: Record<string, Buffer> = {
    'admin.css': readFileSync(templatePath('static/admin.css')),
    'admin-preview.css': readFileSync(templatePath('static/admin-preview.css')),
  };
  const pub = new Router();
  pub.get('/admin/static/:file', (ctx) => {
    const css = styles[ctx.params.file];
    if (!css) return;
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  });
  pub.get('/logos/:file', async (ctx) => {
    const m = /^([0-9a-f]{40})\.(png|jpg|webp)$/.exec(ctx.params.file);
    const logo = m && (await loadLogo(app.db, m[1]));
    if (!logo) return;
    ctx.type = logo.type;
    // Content-addressed: the bytes behind a name never change.
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.body = logo.data;
  });

  const open = new Router({ prefix: '/admin' });
  loginRoutes(open, app);

  const closed = new Router({ prefix: '/admin' });
  homeRoutes(closed, app);
  brandingRoutes(closed, app);
  settingsRoutes(closed, app);
  consentRoutes(closed, app);
  networkRoutes(closed, app, deps);
  accountRoutes(closed, app);
  sessionActionRoutes(closed, app, deps);

  // Mounted before the app-wide parser: terms and privacy texts exceed its 16 kB form limit.
  const body = bodyParser({
    enableTypes: ['form'],
    formLimit: '256kb',
    onError: (err) => {
      throw err;
    },
  });
  const locale = adminLocale(app);
  const session = loadAdmin(app);
  // The routers' context type adds params; at this outer edge it is a plain Koa middleware.
  const pubMw = pub.routes() as unknown as Middleware;
  const openMw = open.routes() as unknown as Middleware;
  const closedMw = closed.routes() as unknown as Middleware;
  return async (ctx, next) => {
    if (ctx.path !== '/admin' && !ctx.path.startsWith('/admin/')) return pubMw(ctx, next);
    if (ctx.path.startsWith('/admin/static/')) return pubMw(ctx, next);
    await body(ctx, () =>
      flatForm(ctx, () =>
        locale(ctx, () =>
          session(ctx, () =>
            openMw(ctx, async () => {
              if (ctx.path.startsWith('/admin/login')) return next();
              // Every other /admin address needs a signed-in account, known route or not.
              await requireLogin()(ctx, () => closedMw(ctx, next));
            }),
          ),
        ),
      ),
    );
  };
}

/**
 * Field names stay as sent ("wording.bg.sms"), repeated names become lists: the parser's
 * qs would turn dots into nesting and cap lists, and forms here name fields by path.
 */
const flatForm: Middleware = async (ctx, next) => {
  const raw = (ctx.request as { rawBody?: unknown }).rawBody;
  if (ctx.is('application/x-www-form-urlencoded') && typeof raw === 'string') {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    ctx.request.body = out;
  }
  await next();
};
