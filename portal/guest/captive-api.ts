// GET /p/<slug>/captive-api: the RFC 8908 Captive Portal API, the URL a venue's DHCP
// option 114 (RFC 8910) or RA option hands to clients.
import Router from '@koa/router';
import type { AppContext } from '../context.ts';
import { captiveStatus } from '../access/captive-status.ts';
import { notFound } from '../errors.ts';

export function captiveApiRoutes(ctx: AppContext): Router {
  const router = new Router();
  router.get('/p/:slug/captive-api', async (k) => {
    const venue = await ctx.venues.bySlug(k.params.slug);
    if (!venue) throw notFound('venue_not_found', 'No venue at this address.');
    const base = ctx.config.PUBLIC_URL ?? `${k.protocol}://${k.host}`;
    const ip = k.request.ip.startsWith('::ffff:') ? k.request.ip.slice(7) : k.request.ip;
    const status = await captiveStatus(ctx.db, {
      clientIp: ip,
      venueId: venue.id,
      portalUrl: `${base}/p/${venue.slug}`,
      now: ctx.now(),
    });
    k.type = 'application/captive+json';
    k.set('Cache-Control', 'private, no-store');
    k.body = JSON.stringify(status);
  });
  return router;
}
