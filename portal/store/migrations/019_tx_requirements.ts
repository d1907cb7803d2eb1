// For issue 18: conditions a transaction's COMMIT checks itself, instead of a read that holds
// the writer for a trip of its own (store/requirements.ts requireIn). A requirement inserts
// a row here only when its condition does not hold; the CHECK refuses every such row, so the
// transaction fails by the constraint's name and nothing of it is written. The table stays
// empty: no row can ever be stored in it.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '019_tx_requirements',
  up: () => [
    `CREATE TABLE tx_requirements (
      unmet INTEGER NOT NULL CONSTRAINT requirement_unmet CHECK (unmet = 0)
    )`,
  ],
};
export default migration;
