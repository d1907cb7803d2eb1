import type { Job } from './job.ts';
import { retentionJob } from './retention.ts';
import { markInvalidNumbersJob } from './mark-invalid-numbers.ts';
import { exportActiveListJob } from './export-active-list.ts';
import { closeStaleSessionsJob } from './close-stale-sessions.ts';
import { purgeVerificationsJob } from './purge-verifications.ts';
import { purgeGrantChangesJob } from './purge-grant-changes.ts';
import { purgeDeviceBlocksJob } from './purge-device-blocks.ts';
import { purgeAdminSessionsJob } from './purge-admin-sessions.ts';

/** Every scheduled job; capabilities add theirs here. */
export const jobs: Job[] = [
  retentionJob,
  markInvalidNumbersJob,
  exportActiveListJob,
  closeStaleSessionsJob,
  purgeVerificationsJob,
  purgeGrantChangesJob,
  purgeDeviceBlocksJob,
  purgeAdminSessionsJob,
];
