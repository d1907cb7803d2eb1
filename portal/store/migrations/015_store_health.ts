// One row the store writes to prove it can write (/healthz, store/write-health.ts): a
// read-only or full database answers reads but cannot take a sign-up, and a health check
// that only reads says ok while every guest gets a 503.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '015_store_health',
  up: () => [
    'CREATE TABLE store_health (id INTEGER PRIMARY KEY, written_at BIGINT NOT NULL)',
    'INSERT INTO store_health (id, written_at) VALUES (1, 0)',
  ],
};
export default migration;
