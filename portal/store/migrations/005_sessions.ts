// RADIUS accounting sessions and the last reject reason per device or user (portal/access/).
import type { Migration } from './sql.ts';

const migration: Migration = {
  id: '005_sessions',
  up: () => [
    // One row per NAS session; Start, Interim-Update and Stop upsert on (nas_id, acct_session_id).
    // No foreign keys: a NAS or grant may be removed while its history stays.
    `CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      nas_id TEXT NOT NULL,
      -- NAS-IP-Address from accounting: where Disconnect-Requests go when the NAS is known by a CIDR.
      nas_ip TEXT,
      acct_session_id TEXT NOT NULL,
      grant_id TEXT,
      username TEXT,
      mac TEXT,
      framed_ip TEXT,
      started_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      stopped_at BIGINT,
      session_time BIGINT NOT NULL DEFAULT 0,
      input_octets BIGINT NOT NULL DEFAULT 0,
      output_octets BIGINT NOT NULL DEFAULT 0,
      terminate_cause TEXT,
      interim_interval INTEGER NOT NULL,
      stale_at BIGINT NOT NULL,
      disconnect_at BIGINT,
      disconnect_result TEXT,
      UNIQUE (nas_id, acct_session_id)
    )`,
    // Auth path: open sessions (device limit) and octets used (data cap), index-only.
    `CREATE INDEX sessions_grant_open ON sessions (grant_id, stopped_at, stale_at)`,
    `CREATE INDEX sessions_grant_usage ON sessions (grant_id, input_octets, output_octets)`,
    // Accounting-On/Off closes one NAS's open sessions.
    `CREATE INDEX sessions_nas_open ON sessions (nas_id, stopped_at)`,
    // The stale-session job and `sessions list`.
    `CREATE INDEX sessions_stale ON sessions (stopped_at, stale_at)`,
    `CREATE INDEX sessions_started ON sessions (started_at)`,
    `CREATE INDEX sessions_acct ON sessions (acct_session_id)`,
    // Octets used before a remembered device's grant got a new window (MAC authentication):
    // the window's usage is the sum over the grant's sessions minus this.
    `ALTER TABLE grants ADD COLUMN used_base_octets BIGINT NOT NULL DEFAULT 0`,
    // key: 'mac:aa:bb:cc:dd:ee:ff' or 'user:NAME'.
    `CREATE TABLE access_rejects (
      key TEXT PRIMARY KEY,
      reason TEXT NOT NULL,
      at BIGINT NOT NULL
    )`,
  ],
};
export default migration;
