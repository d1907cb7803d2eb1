// Requests that reach the portal from NAS rather than from guests' own clicks: UniFi's
// external portal sends guests to /guest/s/<site>/ (no venue in the path), and openNDS
// authmon (FAS level 3) POSTs to the FAS URL, /p/<venue>, to collect authorisations.
import Router from '@koa/router';
import type { AppContext } from '../context.ts';
import { FoyerError, forbidden } from '../errors.ts';
import { answerAuthmon } from '../access-points/opennds-authmon.ts';
import { guestState, loadVenue } from './with-flow.ts';
import { isAuthmonSource, venueSlugForUnifiSite } from '../access-points/nas-lookups.ts';

export function nasRoutes(app: AppContext): Router {
  const router = new Router();

  router.get(['/guest/s/:site', '/guest/s/:site/'], async (k) => {
    const slug = await venueSlugForUnifiSite(app.db, String(k.params.site));
    if (!slug)
      throw new FoyerError(
        'venue_not_found',
        404,
        'No venue has a UniFi NAS for this site. See: npx foyer nas set NAME --site SITE',
      );
    const q = new URLSearchParams(k.querystring);
    q.set('site', String(k.params.site));
    k.status = 302;
    k.redirect(`/p/${slug}?${q}`);
  });

  router.param('slug', loadVenue(app));
  router.post('/p/:slug', async (k) => {
    const { venue } = guestState(k);
    const ip = k.request.ip ?? '';
    // authmon entries are the gateway's to collect; anyone else could take them off the queue.
    if (!(await isAuthmonSource(app.db, app.cipher, venue.id, ip))) {
      app.log.warn(
        { venue: venue.slug, ip },
        'authmon poll from an address that is no openNDS NAS of this venue with --authmon',
      );
      throw forbidden(
        'authmon_forbidden',
        "Only this venue's openNDS gateways (nas add --vendor opennds --authmon) may poll here.",
      );
    }
    const body = ((k.request as { body?: unknown }).body ?? {}) as Record<string, unknown>;
    const form: Record<string, string | undefined> = {};
    for (const key of ['auth_get', 'gatewayhash', 'payload'])
      if (typeof body[key] === 'string') form[key] = body[key] as string;
    k.type = 'text/plain; charset=utf-8';
    k.body = await answerAuthmon(form, app.accessPoints.authmon);
  });
  return router;
}
