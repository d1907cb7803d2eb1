// The few places SQLite and PostgreSQL DDL differ.
import type { Dialect, Tx } from '../db.ts';

export interface Migration {
  /** Sorts in application order: NNN_name. */
  id: string;
  up(d: Dialect): string[];
  /**
   * The migration is finished by a step the caller of migrate() supplies under its id, in
   * the same transaction (one that needs SECRET_KEY, which SQL has not); migrate() refuses
   * to apply it without one.
   */
  needsStep?: boolean;
}

/** Steps that finish migrations, by migration id (see Migration.needsStep). */
export type MigrationSteps = Record<string, (tx: Tx) => Promise<void>>;

export const serialPk = (d: Dialect) =>
  d === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';

/** The database itself refuses UPDATE and DELETE on `table`. */
export function appendOnly(d: Dialect, table: string): string[] {
  const msg = `${table} is append-only`;
  if (d === 'sqlite') {
    return ['UPDATE', 'DELETE'].map(
      (op) =>
        `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${msg}'); END`,
    );
  }
  return [
    `CREATE OR REPLACE FUNCTION ${table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${msg}'; END $$`,
    `CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_refuse()`,
    `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_refuse()`,
  ];
}
