// One clock for every process that shares a database. On PostgreSQL, Foyer processes on
// several hosts compare times each of them wrote (a code issued on one host is entered on
// another; a lockout counted here is checked there), so every deadline is read from the
// database server's clock, not the host's. Asking the server for every deadline would
// add a round trip to each page, so the clock samples the server's time at start and
// every minute, and in between advances by the host's MONOTONIC clock (performance.now),
// which a badly set or stepped wall clock does not move. Its error is half a round trip
// plus the monotonic drift over a minute (parts per million): milliseconds, against
// deadlines of seconds and minutes. SQLite has one host, whose clock is the one clock.
import { performance } from 'node:perf_hooks';
import type { Db, Queryable } from './db.ts';
import { dbNowMs } from './migrations/011_grant_changes.ts';
import type { Logger } from '../log.ts';

const PG_NOW = dbNowMs('postgres');

/** The database's time now, in ms since the epoch (the host's for SQLite). */
export async function databaseTime(db: Queryable): Promise<number> {
  if (db.dialect === 'sqlite') return Date.now();
  const row = await db.get<{ now: number }>(`SELECT ${PG_NOW} AS now`);
  return Number(row!.now);
}

export interface Clock {
  /** ms since the epoch on the database's clock; never less than a value it returned before. */
  now(): number;
  stop(): void;
}

/** Host clocks further than this from the database's are reported: deadlines are safe, but logs and NTP are not. */
const WARN_OFFSET_MS = 2000;

export async function databaseClock(db: Db, log?: Logger, resampleMs = 60_000): Promise<Clock> {
  if (db.dialect === 'sqlite') return { now: Date.now, stop: () => undefined };
  let anchorDb = 0;
  let anchorMono = 0;
  let last = 0;
  let warned = false;
  const sample = async () => {
    const t0 = performance.now();
    const server = await databaseTime(db);
    const t1 = performance.now();
    anchorDb = server + (t1 - t0) / 2;
    anchorMono = t1;
    const offset = Date.now() - Math.round(anchorDb);
    if (Math.abs(offset) > WARN_OFFSET_MS && !warned) {
      warned = true;
      log?.warn(
        { offsetMs: offset },
        `this host's clock is ${offset} ms from the database server's: Foyer keeps time by the database's, but fix the host's time (NTP)`,
      );
    }
  };
  await sample();
  const timer = setInterval(() => sample().catch(() => undefined), resampleMs);
  timer.unref();
  return {
    now() {
      last = Math.max(last, Math.round(anchorDb + performance.now() - anchorMono));
      return last;
    },
    stop: () => clearInterval(timer),
  };
}
