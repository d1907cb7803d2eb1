// Ledger format 2 (issue 15 point 4): an event's time is read inside the ledger lock and is
// never earlier than the event before it. The head keeps the last time (the floor for
// the next event) and where format 2 begins: events before it were timed before the lock
// and may step back by a few hundred milliseconds, or by a host's clock error;
// `ledger verify` reports those, and refuses a step back from v2_from on.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '016_ledger_v2',
  up: () => [
    `ALTER TABLE ledger_head ADD COLUMN at BIGINT NOT NULL DEFAULT 0`,
    `ALTER TABLE ledger_head ADD COLUMN v2_from BIGINT NOT NULL DEFAULT 1`,
    `UPDATE ledger_head SET at = COALESCE((SELECT MAX(at) FROM consent_events), 0), v2_from = seq + 1`,
  ],
};
export default migration;
