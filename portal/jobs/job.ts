import type { Db } from '../store/db.ts';
import type { Logger } from '../log.ts';
import type { FieldCipher } from '../crypto/fields.ts';

export interface JobContext {
  db: Db;
  log: Logger;
  now: () => number;
  /** For jobs that read personal data (the nightly clean-list export). */
  cipher?: FieldCipher;
}

export interface Job {
  name: string;
  /** node-cron expression. */
  schedule: string;
  /** Does the work and says what it did, for the log line and job_runs. */
  run(ctx: JobContext): Promise<Record<string, number | string>>;
}
