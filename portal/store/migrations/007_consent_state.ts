// The latest decision per venue, number and purpose, kept beside the ledger in the same
// transaction: the clean list and the suppression list read it without scanning the
// chain. Holds keyed hashes only, so it outlives erasure of the person.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '007_consent_state',
  up: () => [
    `CREATE TABLE consent_state (
      venue_id TEXT NOT NULL,
      number_hash TEXT NOT NULL,
      purpose TEXT NOT NULL,
      decision TEXT NOT NULL,
      event_id TEXT NOT NULL,
      seq BIGINT NOT NULL,
      at BIGINT NOT NULL,
      PRIMARY KEY (venue_id, number_hash, purpose)
    )`,
    `CREATE INDEX consent_state_list ON consent_state (venue_id, purpose, decision, seq)`,
    // Numbers whose messages fail permanently (unknown or deactivated subscriber).
    `CREATE TABLE invalid_numbers (
      number_hash TEXT PRIMARY KEY,
      reason TEXT NOT NULL,
      at BIGINT NOT NULL
    )`,
  ],
};
export default migration;
