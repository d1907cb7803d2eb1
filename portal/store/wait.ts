// A database that cannot be reached at start is waited for, not given up on: on a host
// reboot Foyer may well start before PostgreSQL, and a process that exits then needs an
// operator. Only an outage is waited out; a wrong password or bad SQL fails at once.
import { isUnavailable } from './db.ts';

export interface WaitOptions {
  /** 0: as long as it takes. */
  giveUpAfterMs: number;
  everyMs?: number;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  sleep?: (ms: number) => Promise<void>;
}

export async function untilReachable<T>(what: () => Promise<T>, o: WaitOptions): Promise<T> {
  const every = o.everyMs ?? 2000;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await what();
      if (attempt > 1) o.log.info({ attempt, waitedMs: Date.now() - started }, 'the database is reachable: starting');
      return result;
    } catch (err) {
      if (!isUnavailable(err)) throw err;
      const waited = Date.now() - started;
      if (o.giveUpAfterMs > 0 && waited + every > o.giveUpAfterMs) throw err;
      o.log.warn(
        { attempt, waitedMs: waited, error: (err as Error).message },
        `waiting for the database: ${(err as Error).message}; trying again in ${every / 1000} s${o.giveUpAfterMs > 0 ? ` (giving up after ${o.giveUpAfterMs / 1000} s, DATABASE_WAIT_SECONDS)` : ' (DATABASE_WAIT_SECONDS=0: as long as it takes)'}`,
      );
      await sleep(every);
    }
  }
}
