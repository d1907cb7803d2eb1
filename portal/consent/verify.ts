// `foyer ledger verify`: walks the chain in order and names the first broken link.
import type { Queryable } from '../store/db.ts';
import { eventHash, GENESIS_HASH, type ConsentEventRow } from './event.ts';

export type VerifyResult =
  | { ok: true; count: number }
  | { ok: false; count: number; broken: { seq: number | null; id: string | null; reason: string } };

const PAGE = 5000;

export async function verifyLedger(db: Queryable): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let count = 0;
  let after = 0;
  for (;;) {
    const rows = await db.all<ConsentEventRow>('SELECT * FROM consent_events WHERE seq > ? ORDER BY seq LIMIT ?', [after, PAGE]);
    for (const row of rows) {
      if (row.prev_hash !== prev) {
        return { ok: false, count, broken: { seq: row.seq, id: row.id, reason: 'does not follow the event before it (an event was removed, inserted or reordered)' } };
      }
      if (eventHash(row) !== row.hash) {
        return { ok: false, count, broken: { seq: row.seq, id: row.id, reason: 'its content no longer matches its hash (altered)' } };
      }
      prev = row.hash;
      count++;
      after = row.seq;
    }
    if (rows.length < PAGE) break;
  }
  const head = await db.get<{ hash: string; count: number }>('SELECT hash, count FROM ledger_head WHERE id = 1');
  if (head && (head.hash !== prev || head.count !== count)) {
    return { ok: false, count, broken: { seq: null, id: null, reason: `the chain ends after ${count} events but ${head.count} were appended (events removed from the end)` } };
  }
  return { ok: true, count };
}
