// Numbers whose latest message failed for good (unknown or deactivated subscriber), with
// the gateway's reason: what the mark-invalid-numbers job hands to consent.
import type { Queryable } from '../store/db.ts';

export async function undeliverableNumbers(db: Queryable): Promise<{ numberHash: string; reason: string }[]> {
  const rows = await db.all<{ to_hash: string; reason: string }>(
    `SELECT m.to_hash, MAX(COALESCE(m.error_code, m.error, 'undeliverable')) AS reason
     FROM sms_messages m
     WHERE m.status = 'undeliverable'
       AND NOT EXISTS (SELECT 1 FROM sms_messages d WHERE d.to_hash = m.to_hash AND d.status = 'delivered' AND d.updated_at > m.updated_at)
     GROUP BY m.to_hash`,
  );
  return rows.map((r) => ({ numberHash: r.to_hash, reason: r.reason }));
}
