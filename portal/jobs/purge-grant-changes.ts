// The grant change feed (access/grant-changes.ts) is read over its last half minute only;
// rows are kept ten minutes, then dropped.
import { purgeGrantChanges } from '../access/grant-changes.ts';
import type { Job } from './job.ts';

export const purgeGrantChangesJob: Job = {
  name: 'purge-grant-changes',
  schedule: '*/5 * * * *',
  async run({ db, now }) {
    return { deleted: await purgeGrantChanges(db, now()) };
  },
};
