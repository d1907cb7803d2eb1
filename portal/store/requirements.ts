// Conditions checked by a transaction's COMMIT (migration 019). A transaction that would
// otherwise read, wait for the answer and decide (holding SQLite's one writer, or a
// PostgreSQL connection and its locks, for that trip) states what must hold instead; its
// writes go with the COMMIT after it, and if it does not hold the whole transaction fails
// with StoreError 'unmet' and nothing is written. The caller then takes the slower road
// that reads and says why (verification/limits.ts, signup/complete.ts).
import { StoreError, type Param, type Tx } from './db.ts';

/**
 * `sql`, a read, must return a row when this point of the transaction is reached (deferred:
 * it runs in order with the transaction's other deferred writes, so it sees those before
 * it and not those after it).
 */
export function requireIn(tx: Tx, sql: string, params: Param[] = []): void {
  tx.defer(`INSERT INTO tx_requirements (unmet) SELECT 1 WHERE NOT EXISTS (${sql})`, params);
}

/** The constraint's name, which each driver's error carries (SQLite's message, PostgreSQL's). */
export const REQUIREMENT_UNMET = 'requirement_unmet';

/** Whether a transaction failed because a requireIn condition did not hold. */
export const isUnmet = (err: unknown): boolean => err instanceof StoreError && err.code === 'unmet';

/**
 * A write that must change exactly one row (a compare-and-set) with the COMMIT: `sql` an
 * UPDATE or DELETE without RETURNING. On SQLite changes() is what the statement just before
 * changed on this connection (the writer's own); PostgreSQL counts the rows the write
 * returns, in one statement.
 */
export function requireOneChanged(tx: Tx, sql: string, params: Param[] = []): void {
  if (tx.dialect === 'sqlite') {
    tx.defer(sql, params);
    requireIn(tx, 'SELECT 1 WHERE changes() = 1');
  } else {
    tx.defer(
      `WITH changed AS (${sql} RETURNING 1) INSERT INTO tx_requirements (unmet) SELECT 1 WHERE (SELECT COUNT(*) FROM changed) <> 1`,
      params,
    );
  }
}
