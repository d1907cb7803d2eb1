// Ended admin sessions and old login-throttle rows are working state: deleted hourly.
import type { Job } from './job.ts';
import { purgeExpiredSessions } from '../accounts/login-sessions.ts';
import { LIMITS } from '../accounts/throttle.ts';

export const purgeAdminSessionsJob: Job = {
  name: 'purge-admin-sessions',
  schedule: '17 * * * *',
  async run({ db, now }) {
    const t = now();
    const sessions = await purgeExpiredSessions(db, t);
    const keep = Math.max(LIMITS.email.windowMs, LIMITS.ip.windowMs, LIMITS.email.lockMs, LIMITS.ip.lockMs);
    const throttle = (await db.run('DELETE FROM admin_login_throttle WHERE window_start < ? AND locked_until < ?', [t - keep, t])).changes;
    return { sessions, throttle };
  },
};
