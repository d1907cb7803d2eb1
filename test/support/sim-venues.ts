// Venues behind simulated NAS (sim-nas.ts) and Foyer's real RADIUS: each venue's NAS is
// registered (its source address, shared secret, UAM secret and login host) before RADIUS
// starts, since its client table is read then and every few seconds after.
import type { AppContext } from '../../portal/context.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { startRadius, type RadiusService } from '../../portal/radius-main.ts';
import { makeVenue } from '../guest/helpers.ts';
import { startSimNas, type RadiusTarget, type SimNas, type SimVendor } from './sim-nas.ts';

export interface SimVenue {
  vendor: SimVendor;
  slug: string;
  /** Loopback address the NAS sends RADIUS from: how Foyer tells the NAS apart. */
  source: string;
  uamSecret?: string;
  settings?: Record<string, unknown>;
}

export interface SimVenues {
  sims: Map<SimVendor, SimNas>;
  radius: RadiusService;
  close(): Promise<void>;
}

export async function startSimVenues(
  ctx: AppContext,
  portalBase: string,
  secret: string,
  venues: readonly SimVenue[],
): Promise<SimVenues> {
  const sims = new Map<SimVendor, SimNas>();
  const targets: RadiusTarget[] = [];
  for (const v of venues) {
    const venue = await makeVenue(ctx, v.slug, v.settings);
    const target: RadiusTarget = { host: '127.0.0.1', authPort: 0, acctPort: 0, secret, source: v.source };
    targets.push(target);
    const sim = await startSimNas({
      vendor: v.vendor,
      portalUrl: `${portalBase}/p/${v.slug}`,
      radius: target,
      nasId: `${v.slug}-nas`,
      uamSecret: v.uamSecret,
    });
    sims.set(v.vendor, sim);
    // RADIUS comes from `source`, the login page is on 127.0.0.1:PORT: that login host must be configured.
    await addNas(ctx.db, ctx.cipher, {
      name: `${v.slug}-nas`,
      address: v.source,
      secret,
      vendor: v.vendor,
      venueId: venue.id,
      nasIdentifier: `${v.slug}-nas`,
      uamSecret: v.uamSecret,
      loginHosts: [sim.host],
    });
  }
  const radius = await startRadius(ctx, { authPort: 0, acctPort: 0, host: '127.0.0.1' });
  for (const t of targets) Object.assign(t, { authPort: radius.authPort, acctPort: radius.acctPort });
  return {
    sims,
    radius,
    async close() {
      for (const s of sims.values()) await s.close();
      await radius.stop();
    },
  };
}
