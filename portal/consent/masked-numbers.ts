// People by their masked number (+35988****456), for console pages that show who is behind
// a session: enough for an operator to recognise a guest, never the number itself. Erased
// people and people with no stored number are left out (the page says so).
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { maskNumber } from '../log.ts';

export async function maskedNumbers(
  db: Queryable,
  cipher: FieldCipher,
  subjectIds: Iterable<string>,
): Promise<Map<string, string>> {
  const wanted = [...new Set(subjectIds)];
  if (!wanted.length) return new Map();
  const rows = await db.all<{ id: string; number_enc: string | null; erased_at: number | null }>(
    `SELECT id, number_enc, erased_at FROM subjects WHERE id IN (${wanted.map(() => '?').join(', ')})`,
    wanted,
  );
  // The decrypted number does not leave this function.
  return new Map(
    rows.flatMap((r) =>
      r.number_enc && r.erased_at === null ? [[r.id, maskNumber(cipher.decrypt(r.number_enc))] as const] : [],
    ),
  );
}
