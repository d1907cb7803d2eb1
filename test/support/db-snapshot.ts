// What a database holds, counted: the rows of every table and, on SQLite, the bytes of the
// file and its WAL. Two equal snapshots around a flood say it wrote nothing.
import { existsSync, statSync } from 'node:fs';
import type { Queryable } from '../../portal/store/db.ts';

/** Rows per table (and `file bytes` when `sqliteFile` is given). */
export async function dbSnapshot(db: Queryable, sqliteFile?: string): Promise<Record<string, number>> {
  const tables = (
    await db.all<{ name: string }>(
      sqliteFile
        ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
        : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    )
  ).map((t) => t.name);
  const out: Record<string, number> = {};
  for (const t of tables.sort()) out[t] = Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM "${t}"`))!.n);
  if (sqliteFile) out['file bytes'] = fileBytes(sqliteFile);
  return out;
}

/** A SQLite database file's bytes with its WAL's. */
export const fileBytes = (file: string) =>
  [file, `${file}-wal`].reduce((s, f) => s + (existsSync(f) ? statSync(f).size : 0), 0);
