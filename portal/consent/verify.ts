// `foyer ledger verify`: walks the chain in order and names the first broken link.
import type { Queryable } from '../store/db.ts';
import { eventHash, GENESIS_HASH, type ConsentEventRow } from './event.ts';

export type VerifyResult =
  | { ok: true; count: number; notes?: string[] }
  | { ok: false; count: number; broken: { seq: number | null; id: string | null; reason: string } };

const PAGE = 5000;

interface Head {
  seq: number;
  hash: string;
  count: number;
  at: number;
  v2_from: number;
}

const iso = (ms: number) => new Date(Number(ms)).toISOString();

export async function verifyLedger(db: Queryable): Promise<VerifyResult> {
  const head = await db.get<Head>('SELECT seq, hash, count, at, v2_from FROM ledger_head WHERE id = 1');
  let prev = GENESIS_HASH;
  let prevAt = -Infinity;
  let count = 0;
  let after = 0;
  // Events of format 1 were timed before the ledger lock: a step back there is reported, not refused.
  let format1Back = 0;
  for (;;) {
    const rows = await db.all<ConsentEventRow>('SELECT * FROM consent_events WHERE seq > ? ORDER BY seq LIMIT ?', [after, PAGE]);
    for (const row of rows) {
      const broken = (reason: string): VerifyResult => ({ ok: false, count, broken: { seq: row.seq, id: row.id, reason } });
      if (row.prev_hash !== prev) return broken('does not follow the event before it (an event was removed, inserted or reordered)');
      if (eventHash(row) !== row.hash) return broken('its content no longer matches its hash (altered)');
      if (Number(row.at) < prevAt) {
        if (!head || row.seq >= Number(head.v2_from)) return broken(`its time ${iso(row.at)} is earlier than the event before it (${iso(prevAt)}): time ran backwards along the chain`);
        format1Back++;
      }
      prev = row.hash;
      prevAt = Math.max(prevAt, Number(row.at));
      count++;
      after = row.seq;
    }
    if (rows.length < PAGE) break;
  }
  if (head && (head.hash !== prev || Number(head.count) !== count)) {
    return { ok: false, count, broken: { seq: null, id: null, reason: `the chain ends after ${count} events but ${head.count} were appended (events removed from the end)` } };
  }
  const notes = format1Back
    ? [`${format1Back} events written before the upgrade to ledger format 2 carry an earlier time than the event before them (they were timed before the ledger lock); from format 2 on, time never runs backwards`]
    : undefined;
  return notes ? { ok: true, count, notes } : { ok: true, count };
}
