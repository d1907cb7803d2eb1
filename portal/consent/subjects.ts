// Subjects: the person behind a number at one venue. Personal data is encrypted and
// erasable; the ledger refers to subjects by id and to numbers by keyed hash only.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import type { Keys } from '../crypto/keys.ts';

export interface SubjectData {
  e164: string;
  name?: string | null;
  email?: string | null;
  birthDate?: string | null;
}

export interface SubjectRow {
  id: string;
  venue_id: string;
  number_hash: string;
  number_enc: string | null;
  name_enc: string | null;
  email_enc: string | null;
  birth_date_enc: string | null;
  created_at: number;
  last_event_at: number;
  erased_at: number | null;
}

export const numberHash = (keys: Keys, e164: string) => keys.hmac('number-hash', e164);

/** Creates or refreshes the subject for (venue, number); returns its id. */
export async function upsertSubject(
  tx: Queryable,
  deps: { keys: Keys; cipher: FieldCipher },
  venueId: string,
  data: SubjectData,
  now = Date.now(),
): Promise<string> {
  const hash = numberHash(deps.keys, data.e164);
  const enc = (v: string | null | undefined) => (v ? deps.cipher.encrypt(v) : null);
  const row = await tx.get<{ id: string }>(
    `INSERT INTO subjects (id, venue_id, number_hash, number_enc, name_enc, email_enc, birth_date_enc, created_at, last_event_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (venue_id, number_hash) DO UPDATE SET
       number_enc = excluded.number_enc,
       name_enc = COALESCE(excluded.name_enc, subjects.name_enc),
       email_enc = COALESCE(excluded.email_enc, subjects.email_enc),
       birth_date_enc = COALESCE(excluded.birth_date_enc, subjects.birth_date_enc),
       last_event_at = excluded.last_event_at,
       erased_at = NULL
     RETURNING id`,
    [randomUUID(), venueId, hash, enc(data.e164), enc(data.name), enc(data.email), enc(data.birthDate), now, now],
  );
  return row!.id;
}

/** Removes the personal data; every ledger event stays, naming the subject by id and hash. */
export async function eraseSubject(db: Queryable, subjectId: string, now = Date.now()): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE subjects SET number_enc = NULL, name_enc = NULL, email_enc = NULL, birth_date_enc = NULL, erased_at = ?
     WHERE id = ? AND erased_at IS NULL`,
    [now, subjectId],
  );
  return changes > 0;
}
