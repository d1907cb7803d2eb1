// The SMS message log, its send attempts, and inbound SMS (portal/sms/).
import { serialPk, type Migration } from './sql.ts';

const migration: Migration = {
  id: '004_sms',
  up: (d) => [
    // One row per outbound message. No text: a code message's text is a secret.
    // to_hash is the keyed number hash the ledger uses, so receipts and STOP can match.
    `CREATE TABLE sms_messages (
      id TEXT PRIMARY KEY,
      to_masked TEXT NOT NULL,
      to_hash TEXT NOT NULL,
      venue_id TEXT,
      purpose TEXT NOT NULL,
      status TEXT NOT NULL,
      gateway TEXT NOT NULL,
      gateway_ref TEXT,
      error TEXT,
      error_code TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      parts INTEGER,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL
    )`,
    `CREATE INDEX sms_messages_ref ON sms_messages (gateway, gateway_ref)`,
    // The job that marks numbers invalid reads undeliverable messages by number.
    `CREATE INDEX sms_messages_number ON sms_messages (to_hash, status, updated_at)`,
    `CREATE INDEX sms_messages_created ON sms_messages (created_at)`,
    `CREATE TABLE sms_attempts (
      id ${serialPk(d)},
      message_id TEXT NOT NULL REFERENCES sms_messages(id),
      attempt INTEGER NOT NULL,
      at BIGINT NOT NULL,
      ms INTEGER NOT NULL,
      result TEXT NOT NULL,
      error TEXT
    )`,
    `CREATE INDEX sms_attempts_message ON sms_attempts (message_id, attempt)`,
    // Every inbound SMS once: a webhook retried by the gateway hits the unique key and is
    // answered no more than once.
    `CREATE TABLE sms_inbound (
      id TEXT PRIMARY KEY,
      gateway TEXT NOT NULL,
      gateway_ref TEXT NOT NULL,
      from_masked TEXT NOT NULL,
      from_hash TEXT NOT NULL,
      to_number TEXT NOT NULL,
      text TEXT NOT NULL,
      received_at BIGINT NOT NULL,
      handled_at BIGINT,
      reply_message_id TEXT,
      error TEXT,
      UNIQUE (gateway, gateway_ref)
    )`,
    `CREATE INDEX sms_inbound_from ON sms_inbound (from_hash, received_at)`,
  ],
};
export default migration;
