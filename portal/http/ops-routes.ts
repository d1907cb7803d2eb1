// /healthz for load balancers and /metrics for Prometheus.
import Router from '@koa/router';
import { BlockList, isIP } from 'node:net';
import type { Db } from '../store/db.ts';
import type { Metrics } from '../metrics.ts';
import { safeEqual } from '../crypto/keys.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { assertNasSecretsReadable } from '../access/nas-clients.ts';

export function opsRoutes(deps: {
  db: Db;
  metrics: Metrics;
  metricsToken?: string;
  metricsAllow: string;
  cipher?: FieldCipher;
}): Router {
  const router = new Router();
  const allow = new BlockList();
  for (const entry of deps.metricsAllow
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [ip, bits] = entry.split('/');
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (bits) allow.addSubnet(ip, Number(bits), family);
    else allow.addAddress(ip, family);
  }

  router.get('/healthz', async (ctx) => {
    const started = Date.now();
    try {
      await deps.db.ping();
      // A SECRET_KEY other than the one that wrote the data breaks every page that reads it.
      if (deps.cipher) await assertNasSecretsReadable(deps.db, deps.cipher);
      // Reading is not enough: a sign-up writes (store/write-health.ts).
      const write = await deps.db.canWrite();
      if (!write.ok) {
        ctx.status = 503;
        ctx.body = {
          status: 'degraded',
          database: { reachable: true, writable: false, dialect: deps.db.dialect, error: write.error },
        };
        return;
      }
      ctx.body = {
        status: 'ok',
        database: { reachable: true, writable: true, dialect: deps.db.dialect, ms: Date.now() - started },
      };
    } catch (err) {
      ctx.status = 503;
      ctx.body = {
        status: 'degraded',
        database: { reachable: false, writable: false, dialect: deps.db.dialect, error: (err as Error).message },
      };
    }
  });

  router.get('/metrics', async (ctx) => {
    const auth = ctx.get('authorization');
    const byToken = deps.metricsToken && auth.startsWith('Bearer ') && safeEqual(auth.slice(7), deps.metricsToken);
    const ip = ctx.request.ip.startsWith('::ffff:') ? ctx.request.ip.slice(7) : ctx.request.ip;
    const byAddress = !deps.metricsToken && isIP(ip) > 0 && allow.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
    if (!byToken && !byAddress) {
      ctx.status = 403;
      ctx.body = {
        error: {
          code: 'metrics_forbidden',
          message: 'Send Authorization: Bearer METRICS_TOKEN, or read /metrics from an address in METRICS_ALLOW.',
        },
      };
      return;
    }
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}
