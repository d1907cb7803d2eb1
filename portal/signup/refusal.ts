// Why the NAS refused this device at the venue (expired, data used up, too many
// devices…), when that is what brought the guest back to screen 1: only a refusal since
// the device's last grant, and a recent one.
import type { Queryable } from '../store/db.ts';
import { rejectSinceLastGrant, type RejectReason } from '../access/reject-reasons.ts';
import { knownClear, rememberClear } from '../access/refusal-memo.ts';

/** A refusal older than this is not what brought the guest back to the portal. */
export const REFUSAL_SHOWN_MS = 30 * 60_000;

export async function refusalToShow(
  db: Queryable,
  venueId: string,
  clientMac: string | undefined,
  now: number,
): Promise<RejectReason | undefined> {
  if (!clientMac || knownClear(db, venueId, clientMac)) return undefined;
  // Most devices have nothing to show: that verdict is kept a second (access/refusal-memo.ts).
  return rememberClear(db, venueId, clientMac, () =>
    rejectSinceLastGrant(db, clientMac, venueId, now - REFUSAL_SHOWN_MS),
  );
}
