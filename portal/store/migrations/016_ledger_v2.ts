// Ledger format 2 (issue 15 point 4, issue 14 point 10). From `v2_from` on:
// - an event's time is read inside the ledger lock and is never earlier than the event
//   before it; the head keeps the last time (the floor for the next event). Events before
//   were timed before the lock and may step back a little, or by a host's clock error;
// - an event's hash is an HMAC under the ledger subkey of SECRET_KEY (hash_version 2),
//   where events before keep their plain SHA-256 (hash_version 1) and still verify: the
//   first keyed event's HMAC covers the last plain hash, so they are held too.
// The head is sealed with an HMAC over (seq, hash, count, at, v2_from), so the switch
// point cannot be moved and the head cannot be moved back without the key. The seal needs
// the key, which SQL does not have: migrate() runs the caller's step for this migration
// (portal/consent/head.ts) in the same transaction, so no head is ever left unsealed.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '016_ledger_v2',
  needsStep: true,
  up: () => [
    `ALTER TABLE consent_events ADD COLUMN hash_version INTEGER NOT NULL DEFAULT 1`,
    `ALTER TABLE ledger_head ADD COLUMN at BIGINT NOT NULL DEFAULT 0`,
    `ALTER TABLE ledger_head ADD COLUMN v2_from BIGINT NOT NULL DEFAULT 1`,
    `ALTER TABLE ledger_head ADD COLUMN mac TEXT`,
    `UPDATE ledger_head SET at = COALESCE((SELECT MAX(at) FROM consent_events), 0), v2_from = seq + 1`,
  ],
};
export default migration;
