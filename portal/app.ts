// createApp builds the Koa app and never listens: main.ts does, tests use app.callback().
import Koa, { type Middleware } from 'koa';
import compose from 'koa-compose';
import { bodyParser } from '@koa/bodyparser';
import type { AppContext } from './context.ts';
import { errorHandler } from './http/error-handler.ts';
import { securityHeaders } from './http/security-headers.ts';
import { cookieSigner } from './http/cookie-signer.ts';
import { opsRoutes } from './http/ops-routes.ts';
import { captiveApiRoutes } from './guest/captive-api.ts';
import { guestRoutes } from './guest/guest-routes.ts';
import { nasRoutes } from './guest/nas-routes.ts';
import { smsRoutes } from './http/sms-webhooks.ts';
import { adminRoutes } from './admin/routes.ts';
import { coaDisconnector } from './access/coa.ts';

export function createApp(ctx: AppContext): Koa {
  // Koa's cookies take a Keygrip-shaped signer as their keys (http/cookie-signer.ts).
  const keys = cookieSigner(ctx.keys.key('cookies').toString('hex')) as unknown as string[];
  const app = new Koa({ proxy: ctx.config.TRUST_PROXY, keys });
  const https = ctx.config.PUBLIC_URL?.startsWith('https:') ?? false;

  app.use(async (kctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      // The route pattern, never the raw path: labels must stay few. Plain counts per
      // request, handed to prom-client when /metrics is read (portal/metrics.ts).
      const route = (kctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      const status = String(kctx.status);
      ctx.metrics.httpRequests.add({ route, status }, `${status} ${route}`);
      ctx.metrics.httpDuration.observe({ route }, route, (performance.now() - started) / 1000);
    }
  });
  app.use(securityHeaders({ https }));
  app.use(errorHandler(ctx.log, ctx.views));
  const admin = adminRoutes(ctx, { disconnector: () => coaDisconnector() });
  const body = bodyParser({
    enableTypes: ['form', 'json'],
    formLimit: '16kb',
    jsonLimit: '64kb',
    onError: (err) => {
      throw err;
    },
  });
  const ops = opsRoutes({
    db: ctx.db,
    metrics: ctx.metrics,
    metricsToken: ctx.config.METRICS_TOKEN,
    metricsAllow: ctx.config.METRICS_ALLOW,
    cipher: ctx.cipher,
  });
  const guest = [captiveApiRoutes(ctx).routes(), guestRoutes(ctx).routes(), nasRoutes(ctx).routes()] as Middleware[];
  // The guest's pages (every captive probe a NAS redirects) skip the routers that cannot
  // match under /p/ (admin's /admin, /logos; /healthz, /metrics; /sms): the same answer,
  // three route tables fewer to walk. allowedMethods stays: it answers 405 for /p/ too.
  const guestChain = compose([body, ops.allowedMethods() as Middleware, ...guest]);
  const everything = compose([
    admin,
    body,
    ops.routes() as Middleware,
    ops.allowedMethods() as Middleware,
    ...guest,
    smsRoutes(ctx).routes() as Middleware,
  ]);
  app.use((kctx, next) => (kctx.path.startsWith('/p/') ? guestChain(kctx, next) : everything(kctx, next)));
  return app;
}
