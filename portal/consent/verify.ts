// `foyer ledger verify`: checks the head's seal, then walks the chain in order and names
// the first broken link. What it can and cannot prove: deploy/SECURITY.md, "The consent ledger".
import type { Queryable } from '../store/db.ts';
import type { Keys } from '../crypto/keys.ts';
import { eventHash, keyedEventHash, GENESIS_HASH, type ConsentEventRow } from './event.ts';
import { headSealed, readHead } from './head.ts';

export type VerifyResult =
  | { ok: true; count: number; notes?: string[] }
  | { ok: false; count: number; broken: { seq: number | null; id: string | null; reason: string } };

const PAGE = 5000;

const iso = (ms: number) => new Date(Number(ms)).toISOString();

export async function verifyLedger(db: Queryable, keys: Keys): Promise<VerifyResult> {
  const head = await readHead(db);
  if (!head)
    return {
      ok: false,
      count: 0,
      broken: { seq: null, id: null, reason: 'the ledger head is missing (run `npx foyer migrate`)' },
    };
  // Checked after the walk, so that an altered event is named rather than only the head;
  // until then v2_from is the head's claim.
  const sealed = headSealed(keys, head);
  const orKey = sealed ? '' : ', or SECRET_KEY is not the one that wrote this ledger';
  const v2From = Number(head.v2_from);
  let prev = GENESIS_HASH;
  let prevAt = -Infinity;
  let count = 0;
  let after = 0;
  // Events of format 1 were timed before the ledger lock: a step back there is reported, not refused.
  let format1Back = 0;
  for (;;) {
    const rows = await db.all<ConsentEventRow>('SELECT * FROM consent_events WHERE seq > ? ORDER BY seq LIMIT ?', [
      after,
      PAGE,
    ]);
    for (const row of rows) {
      const broken = (reason: string): VerifyResult => ({
        ok: false,
        count,
        broken: { seq: row.seq, id: row.id, reason },
      });
      const v2 = row.seq >= v2From;
      // The version a row must carry follows from the sealed switch point, never from the row.
      if (v2 && Number(row.hash_version) !== 2)
        return broken(
          `carries an unkeyed hash after the switch to keyed hashes (from seq ${v2From}): refused as a downgrade`,
        );
      if (row.prev_hash !== prev)
        return broken('does not follow the event before it (an event was removed, inserted or reordered)');
      if ((v2 ? keyedEventHash(keys, row) : eventHash(row)) !== row.hash)
        return broken(`its content no longer matches its ${v2 ? 'keyed ' : ''}hash (altered${v2 ? orKey : ''})`);
      if (Number(row.at) < prevAt) {
        if (v2)
          return broken(
            `its time ${iso(row.at)} is earlier than the event before it (${iso(prevAt)}): time ran backwards along the chain`,
          );
        format1Back++;
      }
      prev = row.hash;
      prevAt = Math.max(prevAt, Number(row.at));
      count++;
      after = row.seq;
    }
    if (rows.length < PAGE) break;
  }
  if (!sealed) {
    return {
      ok: false,
      count,
      broken: {
        seq: null,
        id: null,
        reason: `the head fails its HMAC: it was moved or rewritten without the key (events removed from the end, or the switch to keyed hashes moved)${orKey}`,
      },
    };
  }
  if (head.hash !== prev || Number(head.count) !== count || Number(head.seq) !== after) {
    return {
      ok: false,
      count,
      broken: {
        seq: null,
        id: null,
        reason: `the chain ends after ${count} events (seq ${after}) but the sealed head names ${head.count} (seq ${head.seq}): events removed from the end`,
      },
    };
  }
  const notes = format1Back
    ? [
        `${format1Back} events written before the upgrade to ledger format 2 carry an earlier time than the event before them (they were timed before the ledger lock); from format 2 on, time never runs backwards`,
      ]
    : undefined;
  return notes ? { ok: true, count, notes } : { ok: true, count };
}
