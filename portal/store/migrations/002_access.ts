// Grants: who may be online, for how long, at what speed (portal/access/).
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '002_access',
  up: () => [
    `CREATE TABLE grants (
      id TEXT PRIMARY KEY,
      venue_id TEXT NOT NULL REFERENCES venues(id),
      subject_id TEXT NOT NULL REFERENCES subjects(id),
      username TEXT NOT NULL UNIQUE,
      password_enc TEXT NOT NULL,
      client_mac TEXT,
      nas_id TEXT,
      starts_at BIGINT NOT NULL,
      ends_at BIGINT NOT NULL,
      session_timeout INTEGER NOT NULL,
      idle_timeout INTEGER NOT NULL,
      up_kbps INTEGER NOT NULL DEFAULT 0,
      down_kbps INTEGER NOT NULL DEFAULT 0,
      data_cap_bytes BIGINT NOT NULL DEFAULT 0,
      max_sessions INTEGER NOT NULL DEFAULT 1,
      remember_until BIGINT NOT NULL DEFAULT 0,
      revoked_at BIGINT,
      created_at BIGINT NOT NULL
    )`,
    `CREATE INDEX grants_mac ON grants (client_mac, venue_id, ends_at)`,
    `CREATE INDEX grants_subject ON grants (subject_id)`,
  ],
};
export default migration;
