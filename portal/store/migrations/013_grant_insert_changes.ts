// A new grant for a device changes the answer to that device's MAC authentication at the
// venue: it is now the device's latest grant there, where a cache may still hold the one
// before it (revoked, or expired and no longer remembered). The database records the
// device's other grants at the venue in the grant change feed (migration 011), so every
// Foyer process drops what it kept for the device, whoever wrote the new grant.
import type { Migration } from './sql.ts';
import type { Dialect } from '../db.ts';
import { dbNowMs } from './011_grant_changes.ts';

const earlierGrants = (d: Dialect) =>
  `INSERT INTO grant_changes (grant_id, at)
     SELECT id, ${dbNowMs(d)} FROM grants WHERE client_mac = NEW.client_mac AND venue_id = NEW.venue_id AND id <> NEW.id`;

const migration: Migration = {
  id: '013_grant_insert_changes',
  up: (d) =>
    d === 'sqlite'
      ? [
          `CREATE TRIGGER grants_insert_grant_change AFTER INSERT ON grants FOR EACH ROW WHEN NEW.client_mac IS NOT NULL
           BEGIN ${earlierGrants(d)}; END`,
        ]
      : [
          `CREATE FUNCTION grants_insert_grant_change() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF NEW.client_mac IS NOT NULL THEN ${earlierGrants(d)}; END IF;
             RETURN NULL;
           END $$`,
          `CREATE TRIGGER grants_insert_grant_change AFTER INSERT ON grants FOR EACH ROW EXECUTE FUNCTION grants_insert_grant_change()`,
        ],
};
export default migration;
