// Counts from the SMS message log (message-log.ts) for the venue dashboard: messages
// still queued count in neither.
import type { Queryable } from '../store/db.ts';

export async function smsSentAndFailed(
  db: Queryable,
  venueId: string,
  since: number,
): Promise<{ sent: number; failed: number }> {
  const rows = await db.all<{ status: string; n: number }>(
    'SELECT status, COUNT(*) AS n FROM sms_messages WHERE venue_id = ? AND created_at >= ? GROUP BY status',
    [venueId, since],
  );
  const n = (...statuses: string[]) =>
    rows.filter((r) => statuses.includes(r.status)).reduce((sum, r) => sum + Number(r.n), 0);
  return { sent: n('sent', 'delivered'), failed: n('failed', 'undeliverable') };
}
