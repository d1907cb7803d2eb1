// Counts the trips to SQLite's writer connection while `fn` runs, each a call to its worker
// thread answered on the main thread: an exec is one, preparing a statement is one, running
// a prepared statement (run, get, all) is one, and Database#run/get/all, which prepares and
// then runs, is two. The readers are opened read-only: they are not counted. Statements are
// known by the connection that prepared them from the moment this module is imported, so
// import it before the store opens.
import sqlite3 from 'sqlite3';

type Fn = (...a: unknown[]) => unknown;
const dbProto = sqlite3.Database.prototype as unknown as Record<string, Fn>;
const stProto = sqlite3.Statement.prototype as unknown as Record<string, Fn>;

const writable = (db: unknown) => ((db as { mode?: number }).mode ?? 0) & sqlite3.OPEN_READWRITE;
const writerStatements = new WeakSet<object>();
const prepare = dbProto.prepare;
dbProto.prepare = function (this: unknown, ...a: unknown[]) {
  const st = prepare.apply(this, a) as object;
  if (writable(this)) writerStatements.add(st);
  return st;
};

export async function countWriterTrips(fn: () => Promise<unknown>): Promise<number> {
  let trips = 0;
  const wrap = (proto: Record<string, Fn>, names: string[], counts: (self: object) => boolean, each: number) => {
    const saved = names.map((n) => proto[n]);
    names.forEach((n, i) => {
      proto[n] = function (this: object, ...a: unknown[]) {
        if (counts(this)) trips += each;
        return saved[i].apply(this, a);
      };
    });
    return () => names.forEach((n, i) => (proto[n] = saved[i]));
  };
  const onWriter = (db: object) => !!writable(db);
  const restore = [
    wrap(dbProto, ['exec', 'prepare'], onWriter, 1),
    wrap(dbProto, ['run', 'get', 'all'], onWriter, 2),
    wrap(stProto, ['run', 'get', 'all'], (st) => writerStatements.has(st), 1),
  ];
  try {
    await fn();
  } finally {
    for (const r of restore) r();
  }
  return trips;
}
