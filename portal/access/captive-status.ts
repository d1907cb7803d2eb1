// RFC 8908 Captive Portal API state for a client address: captive until an open RADIUS
// session (Framed-IP-Address from accounting) ties the address to a live grant.
import type { Queryable } from '../store/db.ts';
import { grantStateById } from './grant-state.ts';

export interface CaptiveStatus {
  captive: boolean;
  'user-portal-url': string;
  'venue-info-url'?: string;
  'seconds-remaining'?: number;
  'bytes-remaining'?: number;
  'can-extend-session'?: boolean;
}

export async function captiveStatus(
  db: Queryable,
  o: { clientIp: string; venueId: string; portalUrl: string; venueInfoUrl?: string; now: number },
): Promise<CaptiveStatus> {
  const base: CaptiveStatus = {
    captive: true,
    'user-portal-url': o.portalUrl,
    ...(o.venueInfoUrl ? { 'venue-info-url': o.venueInfoUrl } : {}),
  };
  const session = await db.get<{ grant_id: string | null }>(
    `SELECT s.grant_id FROM sessions s JOIN nas_clients n ON n.id = s.nas_id
     WHERE s.framed_ip = ? AND s.stopped_at IS NULL AND s.stale_at > ? AND n.venue_id = ?
     ORDER BY s.updated_at DESC LIMIT 1`,
    [o.clientIp, o.now, o.venueId],
  );
  if (!session?.grant_id) return base;
  const g = await grantStateById(db, session.grant_id, o.now);
  if (!g || g.revokedAt !== null || g.endsAt <= o.now) return base;
  const out: CaptiveStatus = {
    ...base,
    captive: false,
    'seconds-remaining': Math.floor((g.endsAt - o.now) / 1000),
    'can-extend-session': true,
  };
  if (g.dataCapBytes > 0) {
    const left = g.dataCapBytes - g.usedOctets;
    if (left <= 0) return base;
    out['bytes-remaining'] = left;
  }
  return out;
}
