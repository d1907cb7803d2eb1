// Inbound messages that plainly ask for something no keyword covers ("please stop
// texting me"): kept for the venue's operator to act on, never silently dropped.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '008_inbound_flags',
  up: () => [
    `CREATE TABLE inbound_flags (
      id TEXT PRIMARY KEY,
      venue_id TEXT,
      from_hash TEXT NOT NULL,
      from_masked TEXT NOT NULL,
      text TEXT NOT NULL,
      reason TEXT NOT NULL,
      at BIGINT NOT NULL,
      resolved_at BIGINT,
      resolved_by TEXT
    )`,
    `CREATE INDEX inbound_flags_open ON inbound_flags (venue_id, resolved_at, at)`,
  ],
};
export default migration;
