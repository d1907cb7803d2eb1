// Devices kept off a venue's Wi-Fi for a while: what an operator who disconnects an
// abuser expects, since a disconnected device otherwise comes straight back by MAC
// authentication (or with the credentials it was handed). A block refuses that device's
// Access-Requests at the venue until it ends, whatever grant they name; grant-state.ts
// reads it with the grant, and the database puts the device's grants on the change feed
// (migration 015) so every other process's cache forgets them; this process's forget them
// at once (blockDevice announces it: access-caches.ts).
import type { Queryable } from '../store/db.ts';
import { badInput } from '../errors.ts';
import { normaliseMac } from './mac-format.ts';
import { announce } from './access-caches.ts';

/** Longest block an admin may set: a year. Longer than that is a revocation. */
export const MAX_BLOCK_HOURS = 24 * 366;

export interface Block {
  venueId: string;
  mac: string;
  untilAt: number;
}

/**
 * Blocks `mac` at the venue until `untilAt` (a block already there is replaced), inside
 * the caller's transaction. This process's caches forget the device's grants at the venue
 * at once and again when the transaction commits.
 */
export async function blockDevice(
  tx: Queryable,
  b: { venueId: string; mac: string; hours: number },
  now: number,
): Promise<Block> {
  const mac = normaliseMac(b.mac);
  if (!mac) throw badInput('block_mac_invalid', 'This session has no device address (MAC) to block.');
  if (!Number.isFinite(b.hours) || b.hours <= 0 || b.hours > MAX_BLOCK_HOURS) {
    throw badInput('block_hours_invalid', `Block for 1 to ${MAX_BLOCK_HOURS} hours.`, { max: MAX_BLOCK_HOURS });
  }
  const untilAt = now + Math.round(b.hours * 3_600_000);
  await tx.run(
    `INSERT INTO device_blocks (venue_id, mac, until_at, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (venue_id, mac) DO UPDATE SET until_at = excluded.until_at, created_at = excluded.created_at`,
    [b.venueId, mac, untilAt, now],
  );
  const grants = await tx.all<{ id: string }>(
    `SELECT id FROM grants WHERE venue_id = ? AND (client_mac = ? OR id IN (SELECT grant_id FROM sessions WHERE mac = ? AND grant_id IS NOT NULL))`,
    [b.venueId, mac, mac],
  );
  announce(tx, (c) => grants.forEach((g) => c.grantChanged(g.id)));
  return { venueId: b.venueId, mac, untilAt };
}

export async function activeBlock(
  db: Queryable,
  venueId: string,
  mac: string,
  now: number,
): Promise<Block | undefined> {
  const r = await db.get<{ until_at: number }>(
    'SELECT until_at FROM device_blocks WHERE venue_id = ? AND mac = ? AND until_at > ?',
    [venueId, mac, now],
  );
  return r && { venueId, mac, untilAt: Number(r.until_at) };
}

/** Blocks that have ended are dropped (jobs/purge-device-blocks.ts): they refuse nothing any more. */
export async function purgeEndedBlocks(db: Queryable, now: number): Promise<number> {
  return (await db.run('DELETE FROM device_blocks WHERE until_at <= ?', [now])).changes;
}
