// Counts the statements a piece of work sends to the database by instrumenting a Db in
// place (every part of the app that holds it, the SMS message log included, is counted):
// every get/all/run outside a transaction is one round trip, a transaction is its BEGIN
// and COMMIT plus the statements inside it. Used to pin what one sign-up costs.
import type { Db, Queryable, Tx } from '../../portal/store/db.ts';

export interface StatementLog {
  /** Statements in the order they were sent ('BEGIN' and 'COMMIT' for each transaction; 'lock' is a round trip on PostgreSQL only). */
  sql: string[];
  reset(): void;
}

const short = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 120);

function counted(q: Queryable, log: string[], prefix = ''): Pick<Queryable, 'all' | 'get' | 'run'> {
  const { all, get, run } = { all: q.all.bind(q), get: q.get.bind(q), run: q.run.bind(q) };
  return {
    all: (sql, params) => (log.push(prefix + short(sql)), all(sql, params)),
    get: (sql, params) => (log.push(prefix + short(sql)), get(sql, params)),
    run: (sql, params) => (log.push(prefix + short(sql)), run(sql, params)),
  };
}

/** Counts `db`'s statements from now on into the returned log. */
export function countStatements(db: Db): StatementLog {
  const sql: string[] = [];
  const tx = db.tx.bind(db);
  Object.assign(db, counted(db, sql), {
    tx<T>(fn: (t: Tx) => Promise<T>) {
      sql.push('BEGIN');
      return tx(async (t) => {
        const r = await fn({
          ...t,
          ...counted(t, sql, '  '),
          lock: (name: string) => (sql.push(`  lock ${name}`), t.lock(name)),
        });
        sql.push('COMMIT');
        return r;
      });
    },
  });
  return { sql, reset: () => void sql.splice(0) };
}
