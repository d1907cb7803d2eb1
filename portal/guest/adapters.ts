// The access-point adapter for a redirect (portal/access-points/), and the context a
// hand-back needs: what the grant allows, for vendors told through their own API.
import { adapterFor, detectAdapter } from '../access-points/index.ts';
import type { AccessPointAdapter, AdapterContext, Handoff } from '../access-points/handoff.ts';
import type { VenueSettings } from '../venues/settings.ts';

export const adapterForQuery = (query: Record<string, string>): AccessPointAdapter => detectAdapter(query);

/** The adapter that read a stored Handoff (generic if that vendor is no longer known). */
export const adapterForHandoff = (h: Handoff): AccessPointAdapter => adapterFor(h.vendor) ?? detectAdapter({});

export function handBackContext(session: VenueSettings['session']): AdapterContext {
  return { grant: { minutes: session.durationMinutes, upKbps: session.upKbps, downKbps: session.downKbps, megabytes: session.dataCapMb } };
}

/** Only http(s) links are ever offered to a guest. */
export function httpUrl(raw: string | undefined): string | undefined {
  if (!raw || raw.length > 2048) return undefined;
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}
