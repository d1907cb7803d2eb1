// Runs each job on its schedule, under a database lock so that one process runs it
// even when several share the database; records and logs every run.
import cron from 'node-cron';
import type { Job, JobContext } from './job.ts';
import type { Metrics } from '../metrics.ts';

export async function runJob(
  job: Job,
  ctx: JobContext,
  metrics?: Metrics,
): Promise<Record<string, number | string> | null> {
  const started = ctx.now();
  try {
    const result = await ctx.db.exclusive(`job:${job.name}`, () => job.run(ctx));
    if (result === null) {
      ctx.log.debug({ job: job.name }, 'job skipped: another process holds its lock');
      return null;
    }
    await ctx.db.run('INSERT INTO job_runs (job, started_at, finished_at, result) VALUES (?, ?, ?, ?)', [
      job.name,
      started,
      ctx.now(),
      JSON.stringify(result),
    ]);
    ctx.log.info({ job: job.name, ...result, ms: ctx.now() - started }, `job ${job.name} done`);
    metrics?.jobRuns.inc({ job: job.name, result: 'ok' });
    return result;
  } catch (err) {
    ctx.log.error({ job: job.name, err }, `job ${job.name} failed`);
    metrics?.jobRuns.inc({ job: job.name, result: 'error' });
    throw err;
  }
}

export function scheduleJobs(jobs: Job[], ctx: JobContext, metrics?: Metrics): { stop(): void } {
  const tasks = jobs.map((job) =>
    cron.schedule(job.schedule, () => runJob(job, ctx, metrics).catch(() => undefined), { name: job.name }),
  );
  return { stop: () => tasks.forEach((t) => t.stop()) };
}
