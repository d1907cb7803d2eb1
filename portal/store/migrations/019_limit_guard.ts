// For issue 18: a send's limits checked with its COMMIT instead of by a read that holds the
// writer. The send's transaction inserts a row here only when one of its limits is already
// reached (verification/limits.ts guardSendLimits); the CHECK refuses every such row, so the
// COMMIT fails by the constraint's name and nothing of the send is written. The table stays
// empty: no row can ever be stored in it.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '019_limit_guard',
  up: () => [
    `CREATE TABLE verification_limit_guard (
      reached INTEGER NOT NULL CONSTRAINT send_limit_reached CHECK (reached = 0)
    )`,
  ],
};
export default migration;
