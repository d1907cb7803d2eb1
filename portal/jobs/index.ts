import type { Job } from './job.ts';
import { retentionJob } from './retention.ts';

/** Every scheduled job; capabilities add theirs here. */
export const jobs: Job[] = [retentionJob];
