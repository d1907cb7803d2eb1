// Flows are working state, not records: abandoned or finished flows (with the hand-off
// and what the guest typed) are deleted once they expire (jobs/purge-verifications.ts).
import type { Queryable } from '../store/db.ts';

export async function purgeExpiredFlows(db: Queryable, now: number): Promise<number> {
  return (await db.run('DELETE FROM guest_flows WHERE expires_at < ?', [now])).changes;
}
