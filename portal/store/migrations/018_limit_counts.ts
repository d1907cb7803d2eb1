// For issue 18: send limits as counters. A check used to find the N-th most recent send in
// its window (ORDER BY at DESC OFFSET N-1): its cost grew with the limit, inside the
// writer's hold (a venue allowed 100,000 codes a day walked up to 100,000 rows per SMS).
// verification_counts keeps, per counted key and minute (bucket = at / 60000), how many
// sends it had and the first and last send's time: a check sums at most one row per minute
// of its window, whatever the traffic (verification/limits.ts). The flows an address starts
// are counted here too (dimension 'start'), with their code, under the send's lock.
// Filled from the sends and flows already stored, so an upgrade does not reset a limit.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '018_limit_counts',
  up: () => [
    `CREATE TABLE verification_counts (
      dim TEXT NOT NULL,
      k TEXT NOT NULL,
      bucket BIGINT NOT NULL,
      n INTEGER NOT NULL,
      first_at BIGINT NOT NULL,
      last_at BIGINT NOT NULL,
      PRIMARY KEY (dim, k, bucket)
    )`,
    // The purge job deletes by minute.
    `CREATE INDEX verification_counts_bucket ON verification_counts (bucket)`,
    `INSERT INTO verification_counts (dim, k, bucket, n, first_at, last_at)
     SELECT 'number', number_hash, at / 60000, COUNT(*), MIN(at), MAX(at) FROM verification_sends
     WHERE status <> 'failed' GROUP BY number_hash, at / 60000`,
    `INSERT INTO verification_counts (dim, k, bucket, n, first_at, last_at)
     SELECT 'mac', mac_hash, at / 60000, COUNT(*), MIN(at), MAX(at) FROM verification_sends
     WHERE status <> 'failed' AND mac_hash IS NOT NULL GROUP BY mac_hash, at / 60000`,
    `INSERT INTO verification_counts (dim, k, bucket, n, first_at, last_at)
     SELECT 'ip', venue_id || ' ' || client_ip, at / 60000, COUNT(*), MIN(at), MAX(at) FROM verification_sends
     WHERE status <> 'failed' AND client_ip IS NOT NULL GROUP BY venue_id, client_ip, at / 60000`,
    `INSERT INTO verification_counts (dim, k, bucket, n, first_at, last_at)
     SELECT 'nas', venue_id || ' ' || nas_id, at / 60000, COUNT(*), MIN(at), MAX(at) FROM verification_sends
     WHERE status <> 'failed' AND nas_id IS NOT NULL GROUP BY venue_id, nas_id, at / 60000`,
    `INSERT INTO verification_counts (dim, k, bucket, n, first_at, last_at)
     SELECT 'country', venue_id || ' ' || country_code, at / 60000, COUNT(*), MIN(at), MAX(at) FROM verification_sends
     WHERE status <> 'failed' GROUP BY venue_id, country_code, at / 60000`,
    `INSERT INTO verification_counts (dim, k, bucket, n, first_at, last_at)
     SELECT 'venue', venue_id, at / 60000, COUNT(*), MIN(at), MAX(at) FROM verification_sends
     WHERE status <> 'failed' GROUP BY venue_id, at / 60000`,
    `INSERT INTO verification_counts (dim, k, bucket, n, first_at, last_at)
     SELECT 'start', venue_id || ' ' || client_ip, created_at / 60000, COUNT(*), MIN(created_at), MAX(created_at)
     FROM guest_flows WHERE client_ip IS NOT NULL GROUP BY venue_id, client_ip, created_at / 60000`,
  ],
};
export default migration;
