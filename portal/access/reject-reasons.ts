// Why an Access-Request was refused: a stable code, a plain-English Reply-Message for
// the NAS (some show it to the guest), and the last one per device and user (a row per
// key), so the portal can tell a guest who comes back what happened (guest/screen1.ts;
// its locale keys: access.reject.<code>).
import type { Queryable } from '../store/db.ts';
import { normaliseMac } from './mac-format.ts';
import { refusalRecorded } from './refusal-memo.ts';

export type RejectReason =
  | 'unknown'
  | 'wrong_password'
  | 'expired'
  | 'revoked'
  | 'data_used_up'
  | 'too_many_devices'
  | 'wrong_venue'
  | 'not_remembered'
  | 'reconsent'
  | 'other_device'
  | 'blocked';

export function replyMessage(reason: RejectReason, params: { maxSessions?: number } = {}): string {
  switch (reason) {
    case 'unknown':
    case 'wrong_password':
      return 'The Wi-Fi user name or password is not correct. Please sign in again on the Wi-Fi page.';
    case 'expired':
      return 'Your Wi-Fi access has expired. Please sign in again on the Wi-Fi page.';
    case 'revoked':
      return 'Your Wi-Fi access was withdrawn by the venue.';
    case 'data_used_up':
      return 'You have used all the data included with your Wi-Fi access.';
    case 'too_many_devices':
      return `Too many of your devices are online at once (at most ${params.maxSessions ?? 1}). Disconnect one and try again.`;
    case 'wrong_venue':
      return "This Wi-Fi access is for another venue. Please sign in on this venue's Wi-Fi page.";
    case 'not_remembered':
      return 'This device is not remembered here. Please sign in on the Wi-Fi page.';
    case 'reconsent':
      return 'The venue has changed the terms you agreed to. Please sign in on the Wi-Fi page to confirm them.';
    case 'blocked':
      return 'This device has been disconnected by the venue and may not use the Wi-Fi for now.';
    case 'other_device':
      return 'This Wi-Fi access belongs to another device. Please sign in on the Wi-Fi page from this one.';
  }
}

const keysFor = (who: { mac?: string; username?: string }): string[] => {
  const keys: string[] = [];
  const mac = normaliseMac(who.mac);
  if (mac) keys.push(`mac:${mac}`);
  if (who.username) keys.push(`user:${who.username}`);
  return keys;
};

export async function recordReject(
  db: Queryable,
  who: { venueId: string; mac?: string; username?: string },
  reason: RejectReason,
  now: number,
): Promise<void> {
  for (const key of keysFor(who)) {
    await db.run(
      `INSERT INTO access_rejects (key, reason, venue_id, at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET reason = excluded.reason, venue_id = excluded.venue_id, at = excluded.at`,
      [key, reason, who.venueId, now],
    );
  }
  if (who.mac) refusalRecorded(db, who.venueId, who.mac);
}

/**
 * Why this venue last refused a device that comes back to its portal: only a device that
 * had a grant here and was refused here after its latest grant, at or after `since`. A
 * device that never had a grant here (a first visit after a failed MAC authentication)
 * is told nothing.
 */
export async function rejectSinceLastGrant(
  db: Queryable,
  mac: string,
  venueId: string,
  since: number,
): Promise<RejectReason | undefined> {
  // The grants are looked at only for a refusal row that matched (most devices have
  // none): a grant here at or before it, and none since.
  const r = await db.get<{ reason: RejectReason }>(
    `SELECT r.reason FROM access_rejects r
     WHERE r.key = ? AND r.venue_id = ? AND r.at >= ?
       AND EXISTS (SELECT 1 FROM grants g WHERE g.client_mac = ? AND g.venue_id = ? AND g.created_at <= r.at)
       AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.client_mac = ? AND g.venue_id = ? AND g.created_at > r.at)`,
    [`mac:${mac}`, venueId, since, mac, venueId, mac, venueId],
  );
  return r?.reason;
}
