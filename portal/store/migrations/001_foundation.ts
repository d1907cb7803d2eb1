// Venues, NAS clients, admin accounts, subjects, template versions and the ledger.
import { appendOnly, serialPk, type Migration } from './sql.ts';

const migration: Migration = {
  id: '001_foundation',
  up: (d) => [
    `CREATE TABLE venues (
      id TEXT PRIMARY KEY,
      slug TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      country TEXT NOT NULL,
      settings TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
    `CREATE TABLE nas_clients (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      address TEXT NOT NULL,
      secret_enc TEXT NOT NULL,
      vendor TEXT NOT NULL,
      venue_id TEXT NOT NULL REFERENCES venues(id),
      require_message_authenticator INTEGER NOT NULL DEFAULT 1,
      coa_port INTEGER NOT NULL DEFAULT 3799,
      created_at BIGINT NOT NULL
    )`,
    `CREATE TABLE admins (
      id TEXT PRIMARY KEY,
      email TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      role TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
    `CREATE TABLE admin_venues (
      admin_id TEXT NOT NULL REFERENCES admins(id),
      venue_id TEXT NOT NULL REFERENCES venues(id),
      PRIMARY KEY (admin_id, venue_id)
    )`,
    // Personal data, apart from the ledger; encrypted; erasable.
    `CREATE TABLE subjects (
      id TEXT PRIMARY KEY,
      venue_id TEXT NOT NULL REFERENCES venues(id),
      number_hash TEXT NOT NULL,
      number_enc TEXT,
      name_enc TEXT,
      email_enc TEXT,
      birth_date_enc TEXT,
      created_at BIGINT NOT NULL,
      last_event_at BIGINT NOT NULL,
      erased_at BIGINT,
      UNIQUE (venue_id, number_hash)
    )`,
    `CREATE INDEX subjects_retention ON subjects (venue_id, last_event_at) `,
    `CREATE TABLE template_versions (
      id TEXT PRIMARY KEY,
      venue_id TEXT NOT NULL REFERENCES venues(id),
      content TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
    ...appendOnly(d, 'template_versions'),
    `CREATE TABLE consent_events (
      seq ${serialPk(d)},
      id TEXT NOT NULL UNIQUE,
      at BIGINT NOT NULL,
      venue_id TEXT NOT NULL,
      purpose TEXT NOT NULL,
      decision TEXT NOT NULL,
      channel TEXT NOT NULL,
      number_hash TEXT NOT NULL,
      subject_id TEXT,
      template_version_id TEXT,
      locale TEXT,
      text_hash TEXT,
      client_ip TEXT,
      client_mac TEXT,
      user_agent TEXT,
      nas_id TEXT,
      ap_mac TEXT,
      ssid TEXT,
      verification_id TEXT,
      actor TEXT,
      evidence TEXT,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    )`,
    `CREATE INDEX consent_events_venue ON consent_events (venue_id, seq)`,
    `CREATE INDEX consent_events_subject ON consent_events (number_hash, venue_id, purpose, seq)`,
    ...appendOnly(d, 'consent_events'),
    // The chain's head: lets `ledger verify` notice events removed from the end.
    `CREATE TABLE ledger_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL, count BIGINT NOT NULL)`,
    `INSERT INTO ledger_head (id, seq, hash, count) VALUES (1, 0, '${'0'.repeat(64)}', 0)`,
    `CREATE TABLE job_locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL)`,
    `CREATE TABLE job_runs (
      id ${serialPk(d)},
      job TEXT NOT NULL,
      started_at BIGINT NOT NULL,
      finished_at BIGINT NOT NULL,
      result TEXT NOT NULL
    )`,
  ],
};
export default migration;
