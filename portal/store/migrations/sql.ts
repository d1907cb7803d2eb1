// The few places SQLite and PostgreSQL DDL differ.
import type { Dialect } from '../db.ts';

export interface Migration {
  /** Sorts in application order: NNN_name. */
  id: string;
  up(d: Dialect): string[];
}

export const serialPk = (d: Dialect) =>
  d === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';

/** The database itself refuses UPDATE and DELETE on `table`. */
export function appendOnly(d: Dialect, table: string): string[] {
  const msg = `${table} is append-only`;
  if (d === 'sqlite') {
    return ['UPDATE', 'DELETE'].map(
      (op) => `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${msg}'); END`,
    );
  }
  return [
    `CREATE OR REPLACE FUNCTION ${table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${msg}'; END $$`,
    `CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_refuse()`,
    `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_refuse()`,
  ];
}
