// Guest flows (the NAS hand-off kept server-side), one-time codes, and the log of code
// sends that every rate limit counts (in the database, so limits hold across processes).
import { serialPk, type Migration } from './sql.ts';

const migration: Migration = {
  id: '003_verification',
  up: (d) => [
    // One guest's way through the portal. Personal values are encrypted; the MAC is kept
    // as a keyed hash so a returning device can be found without storing it in clear.
    `CREATE TABLE guest_flows (
      id TEXT PRIMARY KEY,
      venue_id TEXT NOT NULL REFERENCES venues(id),
      state TEXT NOT NULL,
      handoff_enc TEXT NOT NULL,
      mac_hash TEXT,
      locale TEXT,
      number_enc TEXT,
      details_enc TEXT,
      choices TEXT,
      template_version_id TEXT,
      verification_id TEXT,
      grant_id TEXT,
      user_agent TEXT,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL
    )`,
    `CREATE INDEX guest_flows_resume ON guest_flows (venue_id, mac_hash, state, expires_at)`,
    `CREATE INDEX guest_flows_expiry ON guest_flows (expires_at)`,
    // A code: checked by HMAC, kept otherwise only encrypted so a resend sends the same one.
    `CREATE TABLE verifications (
      id TEXT PRIMARY KEY,
      flow_id TEXT NOT NULL,
      venue_id TEXT NOT NULL,
      number_hash TEXT NOT NULL,
      code_hmac TEXT NOT NULL,
      code_enc TEXT NOT NULL,
      status TEXT NOT NULL,
      failures INTEGER NOT NULL DEFAULT 0,
      max_attempts INTEGER NOT NULL,
      sends INTEGER NOT NULL DEFAULT 0,
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      last_sent_at BIGINT,
      used_at BIGINT
    )`,
    `CREATE INDEX verifications_flow ON verifications (flow_id)`,
    `CREATE INDEX verifications_expiry ON verifications (expires_at)`,
    // Every send of a code: 'reserved' before the gateway is called, 'sent' after it
    // accepted, 'failed' (not counted) when it did not.
    `CREATE TABLE verification_sends (
      id ${serialPk(d)},
      at BIGINT NOT NULL,
      venue_id TEXT NOT NULL,
      verification_id TEXT NOT NULL,
      status TEXT NOT NULL,
      number_hash TEXT NOT NULL,
      mac_hash TEXT,
      client_ip TEXT,
      nas_id TEXT,
      country_code TEXT NOT NULL
    )`,
    `CREATE INDEX verification_sends_number ON verification_sends (number_hash, at)`,
    `CREATE INDEX verification_sends_mac ON verification_sends (mac_hash, at)`,
    `CREATE INDEX verification_sends_ip ON verification_sends (client_ip, at)`,
    `CREATE INDEX verification_sends_nas ON verification_sends (venue_id, nas_id, at)`,
    `CREATE INDEX verification_sends_venue ON verification_sends (venue_id, at)`,
    `CREATE INDEX verification_sends_country ON verification_sends (venue_id, country_code, at)`,
  ],
};
export default migration;
