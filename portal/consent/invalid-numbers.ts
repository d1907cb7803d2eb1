// Numbers marked invalid leave the clean list (lists.ts reads invalid_numbers). Marking
// one already marked changes nothing, so the count is of numbers newly marked.
import type { Queryable } from '../store/db.ts';

export async function markNumbersInvalid(db: Queryable, numbers: { numberHash: string; reason: string }[], now: number): Promise<number> {
  let marked = 0;
  for (const n of numbers) {
    marked += (await db.run('INSERT INTO invalid_numbers (number_hash, reason, at) VALUES (?, ?, ?) ON CONFLICT (number_hash) DO NOTHING', [n.numberHash, n.reason, now])).changes;
  }
  return marked;
}
