import type { Db } from '../store/db.ts';
import type { Logger } from '../log.ts';

export interface JobContext {
  db: Db;
  log: Logger;
  now: () => number;
}

export interface Job {
  name: string;
  /** node-cron expression. */
  schedule: string;
  /** Does the work and says what it did, for the log line and job_runs. */
  run(ctx: JobContext): Promise<Record<string, number | string>>;
}
