// Retention, on two clocks per venue. Marketing data: the personal data of subjects whose
// last event is older than retentionMonths is erased; their ledger events stay (the proof
// outlives the person). Network data: RADIUS sessions that ended more than
// networkRetentionMonths ago are deleted.
import { listVenues } from '../venues/venues.ts';
import { defaultSettings } from '../venues/settings.ts';
import { eraseSubjects } from '../consent/subjects.ts';
import type { Job } from './job.ts';
import type { Db, Param } from '../store/db.ts';

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
      sessions += await dropSessions(db, 'sessions.stopped_at < ? AND sessions.nas_id IN (SELECT id FROM nas_clients WHERE venue_id = ?)', [networkCutoff, venue.id]);
    }
    // Sessions of NAS clients since removed follow the default clock.
    const orphanCutoff = now() - defaultSettings().networkRetentionMonths * MONTH_MS;
    sessions += await dropSessions(db, 'sessions.stopped_at < ? AND sessions.nas_id NOT IN (SELECT id FROM nas_clients)', [orphanCutoff]);
    return { erased, sessions };
  },
};

/**
 * Deletes the sessions `where` names. Their octets move into their grants' base first: a
 * grant's usage is its sessions' octets less that base (grant-state.ts), so a remembered
 * device's data cap still counts what it used once the sessions behind it are gone.
 */
function dropSessions(db: Db, where: string, params: Param[]): Promise<number> {
  return db.tx(async (tx) => {
    await tx.run(
      `UPDATE grants SET used_base_octets = used_base_octets -
         (SELECT COALESCE(SUM(sessions.input_octets + sessions.output_octets), 0) FROM sessions WHERE sessions.grant_id = grants.id AND ${where})
       WHERE id IN (SELECT sessions.grant_id FROM sessions WHERE ${where})`,
      [...params, ...params],
    );
    return (await tx.run(`DELETE FROM sessions WHERE ${where}`, params)).changes;
  });
}
