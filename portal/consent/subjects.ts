// Subjects: the person behind a number at one venue. Personal data is encrypted and
// erasable; the ledger refers to subjects by id and to numbers by keyed hash only.
import { randomUUID } from 'node:crypto';
import type { Queryable, Tx } from '../store/db.ts';
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

// A returning number's subject keeps its id and events; its personal data is refreshed
// (only with what was given) and it is no longer erased.
const UPSERT = (
  target: string,
) => `INSERT INTO subjects (id, venue_id, number_hash, number_enc, name_enc, email_enc, birth_date_enc, created_at, last_event_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (${target}) DO UPDATE SET
       number_enc = excluded.number_enc,
       name_enc = COALESCE(excluded.name_enc, subjects.name_enc),
       email_enc = COALESCE(excluded.email_enc, subjects.email_enc),
       birth_date_enc = COALESCE(excluded.birth_date_enc, subjects.birth_date_enc),
       last_event_at = excluded.last_event_at,
       erased_at = NULL`;
const BY_NUMBER = UPSERT('venue_id, number_hash');
const BY_ID = UPSERT('id');

/** A subject's row but its id, encrypted: what deferSubject writes (prepared before the transaction). */
export interface PreparedSubject {
  venueId: string;
  numberHash: string;
  /** number_enc, name_enc, email_enc, birth_date_enc. */
  encrypted: (string | null)[];
}

export function prepareSubject(
  deps: { keys: Keys; cipher: FieldCipher },
  venueId: string,
  data: SubjectData,
): PreparedSubject {
  const enc = (v: string | null | undefined) => (v ? deps.cipher.encrypt(v) : null);
  return {
    venueId,
    numberHash: numberHash(deps.keys, data.e164),
    encrypted: [enc(data.e164), enc(data.name), enc(data.email), enc(data.birthDate)],
  };
}

const subjectValues = (id: string, p: PreparedSubject, createdAt: number, lastEventAt: number) => [
  id,
  p.venueId,
  p.numberHash,
  ...p.encrypted,
  createdAt,
  lastEventAt,
];

/** Creates or refreshes the subject for (venue, number); returns its id. */
export async function upsertSubject(
  tx: Queryable,
  deps: { keys: Keys; cipher: FieldCipher },
  venueId: string,
  data: SubjectData,
  now = Date.now(),
): Promise<string> {
  const row = await tx.get<{ id: string }>(
    `${BY_NUMBER} RETURNING id`,
    subjectValues(randomUUID(), prepareSubject(deps, venueId, data), now, now),
  );
  return row!.id;
}

/**
 * The same with the COMMIT (Tx.defer), for a caller that already knows the subject's id:
 * the one it read for (venue, number) while no one else could write them (under the
 * ledger's lock: record-signup.ts), or a new one when there was none. Keyed on that id, not
 * on (venue, number): were there another subject for (venue, number) all the same (a read
 * gone stale), the insert would fail on their uniqueness, and the transaction with it,
 * rather than events naming a subject that is not the one stored.
 */
export function deferSubject(
  tx: Tx,
  id: string,
  subject: PreparedSubject,
  at: { createdAt: number; lastEventAt: number },
): void {
  tx.defer(BY_ID, subjectValues(id, subject, at.createdAt, at.lastEventAt));
}

/** The id of the subject for (venue, number hash), as a scalar subquery of a read (two parameters). */
export const SUBJECT_ID_SQL = '(SELECT id FROM subjects WHERE venue_id = ? AND number_hash = ?)';

/** The subject for (venue, number), erased or not. */
export async function findSubject(db: Queryable, venueId: string, hash: string): Promise<SubjectRow | undefined> {
  return db.get<SubjectRow>('SELECT * FROM subjects WHERE venue_id = ? AND number_hash = ?', [venueId, hash]);
}

/**
 * Removes the personal data of one subject, or of a venue's subjects whose last event is
 * older than a cutoff (the retention job); every ledger event stays, naming the subject
 * by id and hash. The one erasure: the operator's erase command and the retention job both
 * come here. Returns how many subjects were erased (already erased ones are not counted).
 */
export async function eraseSubjects(
  db: Queryable,
  which: { subjectId: string } | { venueId: string; lastEventBefore: number },
  now = Date.now(),
): Promise<number> {
  const [where, params] =
    'subjectId' in which
      ? ['id = ?', [which.subjectId]]
      : ['venue_id = ? AND last_event_at < ?', [which.venueId, which.lastEventBefore]];
  const { changes } = await db.run(
    `UPDATE subjects SET number_enc = NULL, name_enc = NULL, email_enc = NULL, birth_date_enc = NULL, erased_at = ?
     WHERE ${where} AND erased_at IS NULL`,
    [now, ...params],
  );
  return changes;
}

/** One subject's erasure: true when it had personal data to remove. */
export const eraseSubject = async (db: Queryable, subjectId: string, now = Date.now()): Promise<boolean> =>
  (await eraseSubjects(db, { subjectId }, now)) > 0;
