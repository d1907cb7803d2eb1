// Numbers whose latest message failed permanently (unknown or deactivated subscriber)
// are marked invalid and so leave the clean list: the base stays free of dead numbers.
import type { Job } from './job.ts';

export const markInvalidNumbersJob: Job = {
  name: 'mark-invalid-numbers',
  schedule: '*/15 * * * *',
  async run({ db, now }) {
    const { changes } = await db.run(
      `INSERT INTO invalid_numbers (number_hash, reason, at)
       SELECT m.to_hash, MAX(COALESCE(m.error_code, m.error, 'undeliverable')), ?
       FROM sms_messages m
       WHERE m.status = 'undeliverable'
         AND NOT EXISTS (SELECT 1 FROM sms_messages d WHERE d.to_hash = m.to_hash AND d.status = 'delivered' AND d.updated_at > m.updated_at)
       GROUP BY m.to_hash
       ON CONFLICT (number_hash) DO NOTHING`,
      [now()],
    );
    return { marked: changes };
  },
};
