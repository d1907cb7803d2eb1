import { dirname } from 'node:path';
import type { Db } from './db.ts';
import { trackWrites } from './write-health.ts';
import { openSqlite } from './sqlite.ts';
import { openPostgres, type StoreLog } from './postgres.ts';

/** DATABASE_URL: postgres://… (or postgresql://…), else a SQLite file path. */
export async function openDb(
  url: string,
  opts: { poolMax?: number; sqliteReaders?: number; log?: StoreLog } = {},
): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(url)) return trackWrites(await openPostgres(url, opts.poolMax, opts.log));
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  return trackWrites(await openSqlite(file, opts.sqliteReaders), {
    sqliteDir: file === ':memory:' ? undefined : dirname(file),
  });
}
