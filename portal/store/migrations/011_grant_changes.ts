// A feed of the grants whose RADIUS answer may have changed: the database writes a row
// whenever a grant is updated (revoked, window renewed) or one of its sessions is
// opened, updated or deleted (devices online, data used), whoever made the change (this
// process, another Foyer, the CLI, a job). Every Foyer process reads it about once a
// second to drop what its grant cache holds (portal/access/grant-changes.ts).
import { serialPk, type Migration } from './sql.ts';
import type { Dialect } from '../db.ts';

/** Milliseconds since the epoch on the database's clock: one clock for every process. */
export const dbNowMs = (d: Dialect) =>
  d === 'sqlite'
    ? `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`
    : `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

const SOURCES: Array<{ table: string; event: 'INSERT' | 'UPDATE' | 'DELETE'; grant: string }> = [
  { table: 'grants', event: 'UPDATE', grant: 'NEW.id' },
  { table: 'sessions', event: 'INSERT', grant: 'NEW.grant_id' },
  { table: 'sessions', event: 'UPDATE', grant: 'NEW.grant_id' },
  { table: 'sessions', event: 'DELETE', grant: 'OLD.grant_id' },
];

function triggers(d: Dialect): string[] {
  if (d === 'sqlite') {
    return SOURCES.map(
      ({ table, event, grant }) =>
        `CREATE TRIGGER ${table}_${event.toLowerCase()}_grant_change AFTER ${event} ON ${table} FOR EACH ROW WHEN ${grant} IS NOT NULL
         BEGIN INSERT INTO grant_changes (grant_id, at) VALUES (${grant}, ${dbNowMs(d)}); END`,
    );
  }
  return SOURCES.flatMap(({ table, event, grant }) => {
    const fn = `${table}_${event.toLowerCase()}_grant_change`;
    return [
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF ${grant} IS NOT NULL THEN INSERT INTO grant_changes (grant_id, at) VALUES (${grant}, ${dbNowMs(d)}); END IF;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER ${fn} AFTER ${event} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    ];
  });
}

const migration: Migration = {
  id: '011_grant_changes',
  up: (d) => [
    `CREATE TABLE grant_changes (
      seq ${serialPk(d)},
      grant_id TEXT NOT NULL,
      at BIGINT NOT NULL
    )`,
    `CREATE INDEX grant_changes_at ON grant_changes (at)`,
    ...triggers(d),
  ],
};
export default migration;
