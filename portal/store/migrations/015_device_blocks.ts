// device_blocks (access/device-blocks.ts): a device an operator disconnected and kept off
// for a while, per venue. Blocking changes the RADIUS answer to that device's grants, so
// the database writes them to the grant change feed (migration 011) and every Foyer
// process drops what it kept for them within about a second, whoever wrote the block.
import type { Migration } from './sql.ts';
import type { Dialect } from '../db.ts';
import { dbNowMs } from './011_grant_changes.ts';

const grantsOfDevice = (d: Dialect) =>
  `INSERT INTO grant_changes (grant_id, at)
     SELECT id, ${dbNowMs(d)} FROM grants
     WHERE venue_id = NEW.venue_id AND (client_mac = NEW.mac OR id IN (SELECT grant_id FROM sessions WHERE mac = NEW.mac AND grant_id IS NOT NULL))`;

const migration: Migration = {
  id: '015_device_blocks',
  up: (d) => [
    `CREATE TABLE device_blocks (
      venue_id TEXT NOT NULL REFERENCES venues(id) ON DELETE CASCADE,
      mac TEXT NOT NULL,
      until_at BIGINT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (venue_id, mac)
    )`,
    ...(d === 'sqlite'
      ? ['INSERT', 'UPDATE'].map(
          (ev) =>
            `CREATE TRIGGER device_blocks_${ev.toLowerCase()}_grant_change AFTER ${ev} ON device_blocks FOR EACH ROW BEGIN ${grantsOfDevice(d)}; END`,
        )
      : [
          `CREATE FUNCTION device_blocks_grant_change() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN ${grantsOfDevice(d)}; RETURN NULL; END $$`,
          `CREATE TRIGGER device_blocks_grant_change AFTER INSERT OR UPDATE ON device_blocks FOR EACH ROW EXECUTE FUNCTION device_blocks_grant_change()`,
        ]),
  ],
};
export default migration;
