import type { Db } from './db.ts';
import { openSqlite } from './sqlite.ts';
import { openPostgres, type StoreLog } from './postgres.ts';

/** DATABASE_URL: postgres://… (or postgresql://…), else a SQLite file path. */
export function openDb(url: string, opts: { poolMax?: number; sqliteReaders?: number; log?: StoreLog } = {}): Promise<Db> {
  return /^postgres(ql)?:\/\//.test(url) ? openPostgres(url, opts.poolMax, opts.log) : openSqlite(url.replace(/^sqlite:(\/\/)?/, ''), opts.sqliteReaders);
}
