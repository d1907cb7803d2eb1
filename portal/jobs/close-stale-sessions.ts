// Sessions whose NAS sent no update for three interim intervals are over: the NAS lost
// them, rebooted without Accounting-On, or its Stop went missing. They end when last heard of.
import { closeStaleSessions } from '../access/sessions.ts';
import type { Job } from './job.ts';

export const closeStaleSessionsJob: Job = {
  name: 'close-stale-sessions',
  schedule: '*/5 * * * *',
  async run({ db, now }) {
    return { closed: await closeStaleSessions(db, now()) };
  },
};
