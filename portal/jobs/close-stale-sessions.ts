// Sessions whose NAS sent no update for three interim intervals are over: the NAS lost
// them, rebooted without Accounting-On, or its Stop went missing. They end when last heard of.
// The grant change feed's old rows go too: every reader has read them long since.
import { closeStaleSessions } from '../access/sessions.ts';
import { CHANGE_KEEP_MS } from '../access/grant-changes.ts';
import type { Job } from './job.ts';

export const closeStaleSessionsJob: Job = {
  name: 'close-stale-sessions',
  schedule: '*/5 * * * *',
  async run({ db, now }) {
    const closed = await closeStaleSessions(db, now());
    const grantChanges = (await db.run('DELETE FROM grant_changes WHERE at < ?', [now() - CHANGE_KEEP_MS])).changes;
    return { closed, grantChanges };
  },
};
