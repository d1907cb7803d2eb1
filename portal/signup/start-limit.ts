// How many sign-ups one address may start at one venue: the bound on the only write an
// unauthenticated guest causes (a flow, written with its code). The SMS limits bound the
// codes; this bounds the flows too, where an operator raised the per-address SMS limit
// (a venue behind one NAT address). Counted from guest_flows, so every process agrees.
import type { Queryable } from '../store/db.ts';
import type { VenueSettings } from '../venues/settings.ts';

export const START_WINDOW_MS = 10 * 60_000;

/**
 * In ten minutes, as many as the per-address SMS limit allows codes in an hour (at least
 * 60): a flow is written only with a code, so this is the second bound, sized with the
 * first (a venue behind one NAT address raises perIpHour, and its flows follow).
 */
export const startLimit = (limits: Pick<VenueSettings['limits'], 'perIpHour'>) => Math.max(60, limits.perIpHour);

/** When this address may start another flow here (ms since epoch), or undefined when it may now. */
export async function startBlockedUntil(
  db: Queryable,
  venueId: string,
  clientIp: string,
  limits: VenueSettings['limits'],
  now: number,
): Promise<number | undefined> {
  if (!clientIp) return undefined;
  const n = startLimit(limits);
  const row = await db.get<{ created_at: number }>(
    `SELECT created_at FROM guest_flows WHERE venue_id = ? AND client_ip = ? AND created_at > ? ORDER BY created_at DESC LIMIT 1 OFFSET ${n - 1}`,
    [venueId, clientIp, now - START_WINDOW_MS],
  );
  return row ? Number(row.created_at) + START_WINDOW_MS : undefined;
}
