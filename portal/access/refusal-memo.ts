// Devices this process last found with no refusal to show on screen 1 (signup/refusal.ts),
// so that the captive probes a device repeats every few seconds, and a flood of screen 1
// GETs, cost a Map lookup instead of a query on access_rejects and grants.
//
// Only "nothing to show" is kept: that verdict is changed by one thing alone, a new
// refusal (a newer grant, or time passing, can only turn a notice into none). A refusal
// recorded in this process (reject-reasons.ts recordReject) drops the device's verdict at
// once, and a read under way meanwhile is not kept; one recorded by another process (its
// RADIUS) shows within CHECK_MS, the same second the venue cache allows
// (venues/cached-venues.ts). Kept per database, like the other access caches
// (access-caches.ts): a bare database has no memo and always reads.
import type { Queryable } from '../store/db.ts';
import { accessCachesOf, type AccessCaches } from './access-caches.ts';
import { normaliseMac } from './mac-format.ts';

/** How long "nothing to show" is believed without asking the database again. */
export const CHECK_MS = 1000;
/** Past this many devices the memo starts again (a bound on memory, not an expiry). */
const MAX_ENTRIES = 50_000;

class Memo {
  clear = new Map<string, number>();
  epoch = 0;
}
const memos = new WeakMap<AccessCaches, Memo>();

function memoOf(db: Queryable): Memo | undefined {
  const caches = accessCachesOf(db);
  if (!caches) return undefined;
  let m = memos.get(caches);
  if (!m) memos.set(caches, (m = new Memo()));
  return m;
}

const keyOf = (venueId: string, mac: string) => `${venueId}|${normaliseMac(mac) ?? mac}`;

/** Whether the device was found with nothing to show here less than CHECK_MS ago. */
export function knownClear(db: Queryable, venueId: string, mac: string): boolean {
  const at = memoOf(db)?.clear.get(keyOf(venueId, mac));
  return at !== undefined && performance.now() - at < CHECK_MS;
}

/** Reads the verdict with `read` and keeps it when it is "nothing to show" and no refusal came meanwhile. */
export async function rememberClear<T>(
  db: Queryable,
  venueId: string,
  mac: string,
  read: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const m = memoOf(db);
  const epoch = m?.epoch;
  const started = performance.now();
  const v = await read();
  if (m && v === undefined && epoch === m.epoch) {
    if (m.clear.size >= MAX_ENTRIES) m.clear.clear();
    m.clear.set(keyOf(venueId, mac), started);
  }
  return v;
}

/** A refusal was recorded for the device at the venue: its next screen 1 reads it. */
export function refusalRecorded(db: Queryable, venueId: string, mac: string): void {
  const m = memoOf(db);
  if (!m) return;
  m.epoch++;
  m.clear.delete(keyOf(venueId, mac));
}
