// The message log: one row per outbound SMS (masked number, keyed number hash, purpose,
// status, gateway reference) and one per send attempt. Never the text: a code is a secret.
import { randomUUID } from 'node:crypto';
import type { Db, Param, Tx } from '../store/db.ts';
import type { Keys } from '../crypto/keys.ts';
import { maskNumber } from '../log.ts';
import { numberHash } from '../consent/subjects.ts';
import type { OutboundSms } from './gateway.ts';

export type SmsStatus = 'queued' | 'sent' | 'failed' | 'delivered' | 'undeliverable';

/** What a delivery receipt says, whatever the gateway's own words. */
export type ReceiptStatus = 'delivered' | 'failed' | 'undeliverable';

export interface SmsMessageRow {
  id: string;
  to_masked: string;
  to_hash: string;
  venue_id: string | null;
  purpose: string;
  status: SmsStatus;
  gateway: string;
  gateway_ref: string | null;
  error: string | null;
  error_code: string | null;
  attempts: number;
  parts: number | null;
  created_at: number;
  updated_at: number;
}

// A receipt never moves a message backwards: delivered and undeliverable are final.
const FINAL: SmsStatus[] = ['delivered', 'undeliverable'];

export class MessageLog {
  constructor(
    private readonly db: Db,
    private readonly keys: Keys,
    private readonly now: () => number = Date.now,
  ) {}

  /** The keyed hash of an E.164 number, the same the ledger and subjects use. */
  numberHash(e164: string): string {
    return numberHash(this.keys, e164);
  }

  /** Whether a message of this purpose to this number (and venue) was queued at or after `since` and has not failed. */
  async sentSince(msg: OutboundSms, since: number): Promise<boolean> {
    const r = await this.db.get(
      `SELECT 1 AS hit FROM sms_messages WHERE to_hash = ? AND purpose = ? AND COALESCE(venue_id, '') = ? AND created_at >= ? AND status <> 'failed' LIMIT 1`,
      [this.numberHash(msg.to), msg.purpose, msg.venueId ?? '', since],
    );
    return Boolean(r);
  }

  /** The message's row, before it is sent (db.write: under load it costs no writer trip of its own). */
  async queued(msg: OutboundSms, gateway: string): Promise<string> {
    const [id, sql, params] = this.queuedRow(msg, gateway);
    await this.db.write([sql, params]);
    return id;
  }

  /** The message's row, written with the COMMIT of the sender's transaction (Tx.defer). */
  queuedIn(tx: Tx, msg: OutboundSms, gateway: string): string {
    const [id, sql, params] = this.queuedRow(msg, gateway);
    tx.defer(sql, params);
    return id;
  }

  private queuedRow(msg: OutboundSms, gateway: string): [string, string, Param[]] {
    const id = randomUUID();
    const t = this.now();
    return [
      id,
      `INSERT INTO sms_messages (id, to_masked, to_hash, venue_id, purpose, status, gateway, attempts, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'queued', ?, 0, ?, ?)`,
      [id, maskNumber(msg.to), this.numberHash(msg.to), msg.venueId ?? null, msg.purpose, gateway, t, t],
    ];
  }

  async attempt(
    id: string,
    attempt: number,
    result: 'sent' | 'transient' | 'permanent',
    ms: number,
    error?: string,
  ): Promise<void> {
    // Two writes and no answer, together (db.write): under load they ride on another COMMIT.
    await this.db.write(
      [
        'INSERT INTO sms_attempts (message_id, attempt, at, ms, result, error) VALUES (?, ?, ?, ?, ?, ?)',
        [id, attempt, this.now(), Math.round(ms), result, error?.slice(0, 500) ?? null],
      ],
      ['UPDATE sms_messages SET attempts = ?, updated_at = ? WHERE id = ?', [attempt, this.now(), id]],
    );
  }

  /**
   * A successful attempt and the message marked sent, together in one commit (db.write:
   * under load it rides on another transaction's COMMIT, no writer trip of its own), done
   * before the sender is told: a guest told "code sent" has it in the log.
   */
  async sentOnAttempt(id: string, attempt: number, ms: number, ref: string, parts: number | undefined): Promise<void> {
    await this.db.write(
      [
        'INSERT INTO sms_attempts (message_id, attempt, at, ms, result, error) VALUES (?, ?, ?, ?, ?, NULL)',
        [id, attempt, this.now(), Math.round(ms), 'sent'],
      ],
      [
        `UPDATE sms_messages SET status = 'sent', attempts = ?, gateway_ref = ?, parts = ?, error = NULL, updated_at = ? WHERE id = ?`,
        [attempt, ref, parts ?? null, this.now(), id],
      ],
    );
  }

  async sent(id: string, ref: string, parts: number | undefined): Promise<void> {
    await this.db.write([
      `UPDATE sms_messages SET status = 'sent', gateway_ref = ?, parts = ?, error = NULL, updated_at = ? WHERE id = ?`,
      [ref, parts ?? null, this.now(), id],
    ]);
  }

  async failed(id: string, error: string): Promise<void> {
    await this.db.write([
      `UPDATE sms_messages SET status = 'failed', error = ?, updated_at = ? WHERE id = ?`,
      [error.slice(0, 500), this.now(), id],
    ]);
  }

  /**
   * Applies a delivery receipt to the message the gateway knows as `ref`. Resolves false
   * when no message matches (a receipt for a message sent by another system, or replayed).
   */
  async receipt(gateway: string, ref: string, status: ReceiptStatus, errorCode?: string): Promise<boolean> {
    const { changes } = await this.db.run(
      `UPDATE sms_messages SET status = ?, error_code = ?, updated_at = ?
       WHERE gateway = ? AND gateway_ref = ? AND status NOT IN (${FINAL.map(() => '?').join(', ')})`,
      [status, errorCode ?? null, this.now(), gateway, ref, ...FINAL],
    );
    if (changes > 0) return true;
    // Already final: still a match (a repeated receipt), not an unknown message.
    return Boolean(
      await this.db.get('SELECT id FROM sms_messages WHERE gateway = ? AND gateway_ref = ?', [gateway, ref]),
    );
  }

  get(id: string): Promise<SmsMessageRow | undefined> {
    return this.db.get<SmsMessageRow>('SELECT * FROM sms_messages WHERE id = ?', [id]).then((r) => r && numeric(r));
  }

  /** Messages to one number, newest first (for the job that marks dead numbers invalid, and for support). */
  async forNumber(e164: string, limit = 50): Promise<SmsMessageRow[]> {
    const rows = await this.db.all<SmsMessageRow>(
      'SELECT * FROM sms_messages WHERE to_hash = ? ORDER BY created_at DESC LIMIT ?',
      [this.numberHash(e164), limit],
    );
    return rows.map(numeric);
  }

  /** Number hashes with at least one permanently undeliverable message since `since` (ms). */
  async undeliverableSince(since: number): Promise<string[]> {
    const rows = await this.db.all<{ to_hash: string }>(
      `SELECT DISTINCT to_hash FROM sms_messages WHERE status = 'undeliverable' AND updated_at >= ?`,
      [since],
    );
    return rows.map((r) => r.to_hash);
  }
}

// PostgreSQL returns BIGINT as a string.
function numeric(r: SmsMessageRow): SmsMessageRow {
  return {
    ...r,
    attempts: Number(r.attempts),
    parts: r.parts === null ? null : Number(r.parts),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  };
}
