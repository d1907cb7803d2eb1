// Retention, on two clocks per venue. Marketing data: the personal data of subjects whose
// last event is older than retentionMonths is erased; their ledger events stay (the proof
// outlives the person). Network data: RADIUS sessions that ended more than
// networkRetentionMonths ago are deleted.
import { listVenues } from '../venues/venues.ts';
import { defaultSettings } from '../venues/settings.ts';
import { eraseSubjects } from '../consent/subjects.ts';
import type { Job } from './job.ts';
import { dropOrphanSessions, dropVenueSessions } from '../access/session-retention.ts';

const MONTH_MS = 30.44 * 24 * 3600 * 1000;

export const retentionJob: Job = {
  name: 'retention',
  schedule: '17 3 * * *',
  async run({ db, now }) {
    let erased = 0;
    let sessions = 0;
    for (const venue of await listVenues(db)) {
      const cutoff = now() - venue.settings.retentionMonths * MONTH_MS;
      erased += await eraseSubjects(db, { venueId: venue.id, lastEventBefore: cutoff }, now());
      const networkCutoff = now() - venue.settings.networkRetentionMonths * MONTH_MS;
      sessions += await dropVenueSessions(db, venue.id, networkCutoff);
    }
    // Sessions of NAS clients since removed follow the default clock.
    const orphanCutoff = now() - defaultSettings().networkRetentionMonths * MONTH_MS;
    sessions += await dropOrphanSessions(db, orphanCutoff);
    return { erased, sessions };
  },
};
