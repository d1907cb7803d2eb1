// The admin side: sessions, login throttling, the audit log, venue drafts, the list of
// published versions and uploaded logos (portal/admin/, portal/venues/).
import { serialPk, type Migration } from './sql.ts';

const migration: Migration = {
  id: '006_admin',
  up: (d) => [
    // id_hash: sha256 of the cookie value, so a database leak does not hand out sessions.
    `CREATE TABLE admin_sessions (
      id_hash TEXT PRIMARY KEY,
      admin_id TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
      created_at BIGINT NOT NULL,
      last_seen_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      ip TEXT,
      user_agent TEXT
    )`,
    `CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id)`,
    // key: 'email:<address>' or 'ip:<address>'; failures counted within a window.
    `CREATE TABLE admin_login_throttle (
      key TEXT PRIMARY KEY,
      failures INTEGER NOT NULL,
      window_start BIGINT NOT NULL,
      locked_until BIGINT NOT NULL DEFAULT 0
    )`,
    `CREATE TABLE admin_audit (
      id ${serialPk(d)},
      at BIGINT NOT NULL,
      actor_id TEXT,
      actor_email TEXT NOT NULL,
      action TEXT NOT NULL,
      target TEXT,
      detail TEXT,
      ip TEXT
    )`,
    `CREATE INDEX admin_audit_at ON admin_audit (at)`,
    `CREATE TABLE venue_drafts (
      venue_id TEXT PRIMARY KEY REFERENCES venues(id),
      name TEXT NOT NULL,
      settings TEXT NOT NULL,
      updated_at BIGINT NOT NULL,
      updated_by TEXT NOT NULL
    )`,
    `CREATE TABLE venue_versions (
      id ${serialPk(d)},
      venue_id TEXT NOT NULL REFERENCES venues(id),
      number INTEGER NOT NULL,
      name TEXT NOT NULL,
      settings TEXT NOT NULL,
      published_at BIGINT NOT NULL,
      published_by TEXT NOT NULL,
      UNIQUE (venue_id, number)
    )`,
    // Content-addressed: id is the sha256 of the bytes; base64 keeps one column type on both stores.
    `CREATE TABLE venue_logos (
      id TEXT PRIMARY KEY,
      venue_id TEXT NOT NULL REFERENCES venues(id),
      content_type TEXT NOT NULL,
      data TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
  ],
};
export default migration;
