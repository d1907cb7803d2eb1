// Ended admin sessions and old login-throttle rows are working state: deleted hourly, by
// the accounts capability that owns them.
import type { Job } from './job.ts';
import { purgeExpiredSessions } from '../accounts/login-sessions.ts';
import { purgeOldThrottleRows } from '../accounts/throttle.ts';

export const purgeAdminSessionsJob: Job = {
  name: 'purge-admin-sessions',
  schedule: '17 * * * *',
  async run({ db, now }) {
    const t = now();
    return { sessions: await purgeExpiredSessions(db, t), throttle: await purgeOldThrottleRows(db, t) };
  },
};
