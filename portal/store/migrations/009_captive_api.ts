// The Captive Portal API (RFC 8908) finds a guest's session by the address it asks from.
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '009_captive_api',
  up: () => [`CREATE INDEX sessions_framed_ip ON sessions (framed_ip, stopped_at)`],
};
export default migration;
