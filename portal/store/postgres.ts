// PostgreSQL through pg: a pool, `?` placeholders rewritten to $n, BIGINT read as
// numbers (times are ms since the epoch, well inside 2^53), errors mapped to StoreError.
import pg from 'pg';
import { StoreError, type DriverDb, type Param, type Queryable, type Row, type Tx } from './db.ts';
import { inlineParams, PLACEHOLDER } from './sql-literal.ts';
import { REQUIREMENT_UNMET } from './requirements.ts';

pg.types.setTypeParser(20, (v) => Number(v)); // int8
pg.types.setTypeParser(1700, (v) => Number(v)); // numeric (sums, averages)

const cache = new Map<string, string>();
export function toPg(sql: string): string {
  let out = cache.get(sql);
  if (out === undefined) {
    let n = 0;
    // Placeholders only outside quoted strings.
    out = sql.replace(PLACEHOLDER, (m) => (m === '?' ? `$${++n}` : m));
    cache.set(sql, out);
  }
  return out;
}

// Named (server-side prepared) statements for SQL that keeps coming back, as JDBC's
// prepareThreshold does: parsed and planned once per connection instead of per call.
// Only the first NAMED_MAX distinct texts get a name, so SQL built per call cannot
// grow every connection's statement list without bound.
const PREPARE_AFTER = 3;
const NAMED_MAX = 500;
const seen = new Map<string, number>();
const named = new Map<string, string>();
function statementName(text: string): string | undefined {
  const name = named.get(text);
  if (name !== undefined || named.size >= NAMED_MAX) return name;
  const n = (seen.get(text) ?? 0) + 1;
  if (n < PREPARE_AFTER) {
    if (seen.size < NAMED_MAX * 4) seen.set(text, n);
    return undefined;
  }
  seen.delete(text);
  const fresh = `foyer_${named.size + 1}`;
  named.set(text, fresh);
  return fresh;
}

// 25006: a read-only transaction, as on a standby after a failover or with
// default_transaction_read_only: the database is there but cannot take a write.
const UNAVAILABLE = new Set([
  '25006',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

export function mapError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { code?: string; message?: string };
  const msg = e?.message ?? String(err);
  const code = e?.code ?? '';
  if (UNAVAILABLE.has(code) || (/terminat|Connection|connect/i.test(msg) && !code.match(/^[0-9A-Z]{5}$/))) {
    return new StoreError('unavailable', `database unavailable: ${msg}`, err);
  }
  if (code === '23505') return new StoreError('conflict', msg, err);
  if (code === '23514' && msg.includes(REQUIREMENT_UNMET)) return new StoreError('unmet', msg, err);
  if (code === '40001' || code === '40P01' || code === '55P03') return new StoreError('busy', msg, err);
  return new StoreError('invalid', msg, err);
}

const norm = (params: Param[]) => params.map((p) => (typeof p === 'bigint' ? p.toString() : p));

type Send = (sql: string, params: Param[]) => Promise<pg.QueryResult>;

/** A statement as a bound query, named once its text keeps coming back. */
const bound =
  (q: (query: pg.QueryConfig) => Promise<pg.QueryResult>): Send =>
  (sql, params) => {
    const text = toPg(sql);
    return q({ text, values: norm(params), name: statementName(text) });
  };

function queryable(send: Send): Queryable {
  const exec = async (sql: string, params: Param[] = []) => {
    try {
      return await send(sql, params);
    } catch (err) {
      throw mapError(err);
    }
  };
  return {
    dialect: 'postgres',
    all: async <T = Row>(sql: string, params?: Param[]) => (await exec(sql, params)).rows as T[],
    get: async <T = Row>(sql: string, params?: Param[]) => (await exec(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params?: Param[]) => ({ changes: (await exec(sql, params)).rowCount ?? 0 }),
  };
}

/** Same 64-bit key for a name in every process. */
const lockKey = (_name: string) => "hashtextextended('foyer:' || ?, 0)";

/** Where the store says what happened to its connections (the process's logger). */
export type StoreLog = (level: 'warn' | 'info', message: string) => void;

export async function openPostgres(url: string, poolMax = 10, log?: StoreLog): Promise<DriverDb> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, connectionTimeoutMillis: 5000 });
  // An idle client losing its server must not crash the process; the pool drops it.
  pool.on('error', (err) => log?.('warn', `idle database connection lost: ${err.message}`));
  // And no client is ever without a listener: a new one is handed over with the pool's
  // taken off, and ours (withClient) goes on only when the awaited connect resumes. A
  // server that ends the connection right after accepting it sends ReadyForQuery and the
  // 57P01 in one segment, which pg parses in between. Heard here, the client is marked
  // not queryable, and its first statement fails 'unavailable' (and is logged) instead.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const root = queryable(bound((query) => pool.query(query)));

  async function withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw mapError(err);
    }
    // Checked out, a client has no listener of the pool's: the server ending its backend
    // (a restart, pg_terminate_backend, a failover) between two statements emits 'error'
    // on it, which unheard ends the process. Heard, the statement under way fails with
    // 'unavailable' and the client is thrown away on release.
    let broken = false;
    const onError = (err: Error) => {
      broken = true;
      log?.('warn', `database connection lost: ${err.message}`);
    };
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (err) {
      broken ||= mapError(err).code === 'unavailable';
      throw err;
    } finally {
      // release() puts the pool's idle listener back before ours goes.
      client.release(broken);
      client.removeListener('error', onError);
    }
  }

  const writing = new Set<Promise<void>>();
  const db: DriverDb = {
    ...root,
    // One round trip: a lone statement bound as usual; several as one simple query, which
    // PostgreSQL runs as one transaction (no BEGIN, so a failure leaves none open). close()
    // waits for those under way: a write asked for is never dropped by the shutdown.
    write(...statements) {
      const w = (async () => {
        if (!statements.length) return;
        if (statements.length === 1) return void (await root.run(statements[0][0], statements[0][1]));
        const text = statements.map(([sql, params]) => inlineParams('postgres', sql, params)).join(';\n');
        try {
          await pool.query(text);
        } catch (err) {
          throw mapError(err);
        }
      })();
      writing.add(w);
      void w.finally(() => writing.delete(w)).catch(() => undefined);
      return w;
    },
    tx<T>(fn: (tx: Tx) => Promise<T>) {
      return withClient(async (client) => {
        // What needs no answer of its own (the BEGIN, the locks, deferred writes) waits, as SQL
        // text with its values inlined, and goes with the transaction's next statement (that one
        // inlined too) or its COMMIT, as one simple query: several statements, one round trip.
        // Each statement of a simple query takes its own snapshot, so a read sent after a lock
        // sees everything committed before the lock was granted.
        const pending: string[] = ['BEGIN'];
        // Reads beside (Tx.readBeside) waiting in `pending` for the next simple query: their place
        // in it, and who wants the answer.
        type Rider = { at: number; resolve: (r: pg.QueryResult) => void; reject: (e: unknown) => void };
        const riders: Rider[] = [];
        let begun = false;
        const simple = async (sql: string): Promise<pg.QueryResult> => {
          begun = true;
          const mine = riders.splice(0);
          let r: pg.QueryResult[];
          try {
            const out = (await client.query(sql)) as pg.QueryResult | pg.QueryResult[];
            r = Array.isArray(out) ? out : [out];
          } catch (err) {
            for (const x of mine) x.reject(mapError(err));
            throw err;
          }
          for (const x of mine) x.resolve(r[x.at]);
          return r[r.length - 1];
        };
        const direct = bound((query) => client.query(query));
        const q = queryable((sql, params) =>
          pending.length
            ? simple([...pending.splice(0), inlineParams('postgres', sql, params)].join(';\n'))
            : direct(sql, params),
        );
        try {
          const result = await fn({
            ...q,
            lock: async (...names) => {
              if (names.length)
                pending.push(
                  inlineParams(
                    'postgres',
                    `SELECT ${names.map(() => `pg_advisory_xact_lock(${lockKey('')})`).join(', ')}`,
                    names,
                  ),
                );
            },
            defer: (sql, params) => void pending.push(inlineParams('postgres', sql, params)),
            // In order on this connection, riding with the next statement's simple query, after
            // the BEGIN and the locks taken before it; alone if none is sent in this tick.
            readBeside: <R = Row>(sql: string, params: Param[] = []) =>
              new Promise<R | undefined>((resolve, reject) => {
                const rider: Rider = { at: pending.length, resolve: (r) => resolve(r.rows[0] as R), reject };
                riders.push(rider);
                pending.push(inlineParams('postgres', sql, params));
                queueMicrotask(() => {
                  if (riders.includes(rider)) simple(pending.splice(0).join(';\n')).catch(() => undefined);
                });
              }),
          });
          try {
            await simple([...pending.splice(0), 'COMMIT'].join(';\n'));
          } catch (err) {
            throw mapError(err);
          }
          return result;
        } catch (err) {
          if (begun) await client.query('ROLLBACK').catch(() => undefined);
          // Database errors arrive here already mapped; anything else (a FoyerError refusing
          // bad input, say) is the caller's and keeps its status.
          throw err;
        }
      });
    },
    exclusive<T>(name: string, fn: () => Promise<T>) {
      // A session-level advisory lock held on one client for the job's duration.
      return withClient(async (client) => {
        const q = queryable(bound((query) => client.query(query)));
        const got = await q.get<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${lockKey(name)}) AS ok`, [name]);
        if (!got?.ok) return null;
        try {
          return await fn();
        } finally {
          await q.get(`SELECT pg_advisory_unlock(${lockKey(name)})`, [name]).catch(() => undefined);
        }
      });
    },
    async ping() {
      await root.get('SELECT 1');
    },
    async close() {
      await Promise.allSettled([...writing]);
      await pool.end();
    },
  };
  return db;
}
