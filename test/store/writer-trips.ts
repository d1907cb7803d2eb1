// Counts the trips to SQLite's writer connection while `fn` runs: every call into a
// sqlite3.Database (exec, run, get, all) is one trip to its worker thread and back. The
// readers go through prepared statements (sqlite3.Statement), so only the writer is counted.
import sqlite3 from 'sqlite3';

export async function countWriterTrips(fn: () => Promise<unknown>): Promise<number> {
  const proto = sqlite3.Database.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const names = ['exec', 'run', 'get', 'all'] as const;
  const saved = names.map((n) => proto[n]);
  let trips = 0;
  names.forEach((n, i) => {
    proto[n] = function (this: unknown, ...a: unknown[]) {
      trips++;
      return saved[i].apply(this, a);
    };
  });
  try {
    await fn();
  } finally {
    names.forEach((n, i) => (proto[n] = saved[i]));
  }
  return trips;
}
