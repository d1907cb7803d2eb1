// Retention: erase the personal data of subjects whose last event is older than the
// venue's retention period. Their ledger events stay (the proof outlives the person).
import { listVenues } from '../venues/venues.ts';
import type { Job } from './job.ts';

const MONTH_MS = 30.44 * 24 * 3600 * 1000;

export const retentionJob: Job = {
  name: 'retention',
  schedule: '17 3 * * *',
  async run({ db, now }) {
    let erased = 0;
    for (const venue of await listVenues(db)) {
      const cutoff = now() - venue.settings.retentionMonths * MONTH_MS;
      const { changes } = await db.run(
        `UPDATE subjects SET number_enc = NULL, name_enc = NULL, email_enc = NULL, birth_date_enc = NULL, erased_at = ?
         WHERE venue_id = ? AND last_event_at < ? AND erased_at IS NULL`,
        [now(), venue.id, cutoff],
      );
      erased += changes;
    }
    return { erased };
  },
};
