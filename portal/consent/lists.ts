// The clean list (who may be sent SMS offers now) and the suppression list (who must
// not be), both from consent_state, which appendEvents keeps in step with the ledger.
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { formatRecords, pagesBySeq, type Format } from './format.ts';

const ACTIVE_FIELDS = [
  'subject_number',
  'consent_time',
  'record_id',
  'notice_version',
  'language',
  'notice_text_hash',
  'collection_method',
] as const;
const SUPPRESSION_FIELDS = ['number_hash', 'reason', 'since', 'record_id'] as const;

interface ActiveRow {
  seq: number;
  event_id: string;
  at: number;
  number_enc: string | null;
  template_version_id: string | null;
  locale: string | null;
  text_hash: string | null;
  channel: string;
}

/**
 * Numbers whose latest SMS-offers decision at the venue is granted, not marked invalid,
 * and whose person has not been erased; with the time and wording of that consent.
 */
export async function* exportActiveSms(
  db: Queryable,
  cipher: FieldCipher,
  venueId: string,
  format: Format,
  pageSize = 2000,
): AsyncGenerator<string> {
  const sql = `SELECT c.seq, c.event_id, c.at, s.number_enc, e.template_version_id, e.locale, e.text_hash, e.channel
    FROM consent_state c
    JOIN consent_events e ON e.id = c.event_id
    LEFT JOIN subjects s ON s.venue_id = c.venue_id AND s.number_hash = c.number_hash
    WHERE c.venue_id = ? AND c.purpose = 'sms' AND c.decision = 'granted' AND c.seq > ?
      AND NOT EXISTS (SELECT 1 FROM invalid_numbers i WHERE i.number_hash = c.number_hash)
    ORDER BY c.seq LIMIT ${pageSize}`;
  async function* records() {
    for await (const page of pagesBySeq((after) => db.all<ActiveRow>(sql, [venueId, after]), pageSize)) {
      yield page
        .filter((r) => r.number_enc)
        .map((r) => ({
          subject_number: cipher.decrypt(r.number_enc!),
          consent_time: new Date(r.at).toISOString(),
          record_id: r.event_id,
          notice_version: r.template_version_id ?? '',
          language: r.locale ?? '',
          notice_text_hash: r.text_hash ?? '',
          collection_method: r.channel,
        }));
    }
  }
  yield* formatRecords(ACTIVE_FIELDS, format, records());
}

/** Everyone whose latest SMS decision is declined or withdrawn, and every invalid number: keyed hashes only. */
export async function* exportSuppression(
  db: Queryable,
  venueId: string,
  format: Format,
  pageSize = 2000,
): AsyncGenerator<string> {
  const sql = `SELECT seq, number_hash, decision AS reason, at, event_id FROM consent_state
    WHERE venue_id = ? AND purpose = 'sms' AND decision <> 'granted' AND seq > ? ORDER BY seq LIMIT ${pageSize}`;
  async function* records() {
    for await (const page of pagesBySeq(
      (after) =>
        db.all<{ seq: number; number_hash: string; reason: string; at: number; event_id: string }>(sql, [
          venueId,
          after,
        ]),
      pageSize,
    )) {
      yield page.map((r) => ({
        number_hash: r.number_hash,
        reason: r.reason,
        since: new Date(r.at).toISOString(),
        record_id: r.event_id,
      }));
    }
    const invalid = await db.all<{ number_hash: string; reason: string; at: number }>(
      `SELECT i.number_hash, i.reason, i.at FROM invalid_numbers i
       WHERE EXISTS (SELECT 1 FROM consent_state c WHERE c.venue_id = ? AND c.number_hash = i.number_hash AND c.purpose = 'sms' AND c.decision = 'granted')`,
      [venueId],
    );
    if (invalid.length)
      yield invalid.map((r) => ({
        number_hash: r.number_hash,
        reason: `invalid-number: ${r.reason}`,
        since: new Date(r.at).toISOString(),
        record_id: '',
      }));
  }
  yield* formatRecords(SUPPRESSION_FIELDS, format, records());
}

/** Whether a number may be sent SMS offers by the venue right now. */
export async function maySendOffers(db: Queryable, venueId: string, numberHash: string): Promise<boolean> {
  const r = await db.get<{ ok: number }>(
    `SELECT 1 AS ok FROM consent_state c WHERE c.venue_id = ? AND c.number_hash = ? AND c.purpose = 'sms' AND c.decision = 'granted'
       AND NOT EXISTS (SELECT 1 FROM invalid_numbers i WHERE i.number_hash = c.number_hash)`,
    [venueId, numberHash],
  );
  return Boolean(r);
}

export async function markNumberInvalid(
  db: Queryable,
  numberHash: string,
  reason: string,
  now = Date.now(),
): Promise<void> {
  await markNumbersInvalid(db, [{ numberHash, reason }], now);
}

/** Marks these numbers invalid (they leave the clean list); returns how many were not marked before. */
export async function markNumbersInvalid(
  db: Queryable,
  numbers: { numberHash: string; reason: string }[],
  now = Date.now(),
): Promise<number> {
  let marked = 0;
  // Rows per statement: SQLite takes at most 32,766 parameters.
  for (let i = 0; i < numbers.length; i += 500) {
    const part = numbers.slice(i, i + 500);
    const { changes } = await db.run(
      `INSERT INTO invalid_numbers (number_hash, reason, at) VALUES ${part.map(() => '(?, ?, ?)').join(', ')} ON CONFLICT (number_hash) DO NOTHING`,
      part.flatMap((n) => [n.numberHash, n.reason, now]),
    );
    marked += changes;
  }
  return marked;
}
