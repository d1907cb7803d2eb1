// The venue whose NAS refused a device: the portal tells a guest who comes back why they
// were refused there, and never shows one venue's refusal on another venue's page.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '012_reject_venue',
  up: () => [`ALTER TABLE access_rejects ADD COLUMN venue_id TEXT`],
};
export default migration;
