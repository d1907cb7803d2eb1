// Send limits, counted in the database so every process sees the same counts: per counted
// key (the number, the device, the address, the NAS, the country, the venue, and the flows
// an address starts) and minute, how many sends it had (verification_counts, migration
// 018). A check sums at most one row per minute of its window, whatever the traffic: its
// cost no longer grows with the limit inside the writer's hold. verification_sends stays
// the log of each send (its status settles a resend).
import { writeWithCommit, type Param, type Queryable, type Tx } from '../store/db.ts';
import { requireIn } from '../store/requirements.ts';
import type { VenueSettings } from '../venues/settings.ts';

export interface SendKeys {
  venueId: string;
  numberHash: string;
  macHash: string | null;
  clientIp: string | null;
  nasId: string | null;
  /** Destination country calling code, e.g. "359". */
  callingCode: string;
  /**
   * Set when this send starts a flow: how many flows the address may start at the venue in
   * ten minutes (signup/start-limit.ts). Counted and checked with the send, under its lock,
   * so parallel submissions cannot all pass it.
   */
  flowStarts?: number;
}

export type LimitScope = 'number-10min' | 'number-day' | 'mac' | 'ip' | 'nas' | 'country' | 'venue-day' | 'flow-start';

export interface Blocked {
  scope: LimitScope;
  /** When the guest may try again (ms since epoch). */
  retryAt: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** A counter's span: fine enough that "try again at" is never more than a minute late. */
const BUCKET_MS = MIN;

type Dim = 'number' | 'mac' | 'ip' | 'nas' | 'country' | 'venue' | 'start';

/** Each counted key of a send, or null when the send has none (no MAC, no address, ...). */
const KEYS: Record<Dim, (k: SendKeys) => string | null> = {
  number: (k) => k.numberHash,
  mac: (k) => k.macHash,
  // Per venue: one busy NAT (hotel, airport, a carrier's shared address) that reaches one
  // venue's limit must not block the guests of every other venue behind the same address.
  ip: (k) => (k.clientIp ? `${k.venueId} ${k.clientIp}` : null),
  nas: (k) => (k.nasId ? `${k.venueId} ${k.nasId}` : null),
  country: (k) => `${k.venueId} ${k.callingCode}`,
  venue: (k) => k.venueId,
  start: (k) => (k.flowStarts !== undefined && k.clientIp ? `${k.venueId} ${k.clientIp}` : null),
};

interface Rule {
  scope: LimitScope;
  dim: Dim;
  windowMs: number;
  limit: (l: VenueSettings['limits'], k: SendKeys) => number;
}

const RULES: Rule[] = [
  { scope: 'number-10min', dim: 'number', windowMs: 10 * MIN, limit: (l) => l.perNumber10Min },
  { scope: 'number-day', dim: 'number', windowMs: DAY, limit: (l) => l.perNumberDay },
  { scope: 'mac', dim: 'mac', windowMs: HOUR, limit: (l) => l.perMacHour },
  { scope: 'ip', dim: 'ip', windowMs: HOUR, limit: (l) => l.perIpHour },
  { scope: 'nas', dim: 'nas', windowMs: HOUR, limit: (l) => l.perNasHour },
  { scope: 'country', dim: 'country', windowMs: HOUR, limit: (l) => l.perCountryHour },
  { scope: 'venue-day', dim: 'venue', windowMs: DAY, limit: (l) => l.venueDaily },
  { scope: 'flow-start', dim: 'start', windowMs: 10 * MIN, limit: (_, k) => k.flowStarts ?? 0 },
];

const bucketOf = (at: number) => Math.floor(at / BUCKET_MS);

interface Minute {
  dim: Dim;
  k: string;
  bucket: number;
  n: number;
  first_at: number;
  last_at: number;
}

/** A rule's minutes: of its key, in its window (the minute the window begins in, if any of it is). */
const IN_WINDOW = '(dim = ? AND k = ? AND bucket >= ? AND last_at > ?)';
const inWindow = (r: Rule, keys: SendKeys, now: number): Param[] => [
  r.dim,
  KEYS[r.dim](keys),
  bucketOf(now - r.windowMs),
  now - r.windowMs,
];

/** The sends a rule counts in its window, as one scalar subquery (its values pushed on `params`). */
function sentInWindow(r: Rule, keys: SendKeys, now: number, params: Param[]): string {
  params.push(now - r.windowMs, ...inWindow(r, keys, now));
  return `(SELECT COALESCE(SUM(CASE WHEN first_at > ? THEN n WHEN n > 0 THEN n - 1 ELSE 0 END), 0) FROM verification_counts WHERE ${IN_WINDOW})`;
}

const applying = (keys: SendKeys, only?: LimitScope) =>
  RULES.filter((r) => KEYS[r.dim](keys) !== null && (!only || r.scope === only));

// The limit is a validated integer from the venue's settings, never the guest's input.
const limitOf = (r: Rule, limits: VenueSettings['limits'], keys: SendKeys) =>
  Math.max(1, Math.floor(r.limit(limits, keys)));

/**
 * The first limit this send would exceed, or undefined when it may go (`only`: that one
 * rule). Every rule that applies is asked in ONE statement, one scalar subquery per rule:
 * its minutes summed, at most one row per minute of its window whatever the traffic. The
 * minute the window begins in may be partly out of it: its first send is, its last is not,
 * the others are not known, so it counts one less (never a send too many). Only a refusal
 * reads its rules' minutes again, to tell the guest when to try again (retryAt).
 */
export async function sendBlocked(
  db: Queryable,
  limits: VenueSettings['limits'],
  keys: SendKeys,
  now: number,
  only?: LimitScope,
): Promise<Blocked | undefined> {
  const rules = applying(keys, only);
  const params: Param[] = [];
  const checks = rules.map((r, i) => `${sentInWindow(r, keys, now, params)} AS r${i}`);
  const row = await db.get<Record<string, number | string>>(`SELECT ${checks.join(', ')}`, params);
  const over = rules.filter((r, i) => Number(row?.[`r${i}`] ?? 0) >= limitOf(r, limits, keys));
  if (!over.length) return undefined;
  const minutes = await db.all<Minute>(
    `SELECT dim, k, bucket, n, first_at, last_at FROM verification_counts WHERE ${over.map(() => IN_WINDOW).join(' OR ')} ORDER BY bucket DESC`,
    over.flatMap((r) => inWindow(r, keys, now)),
  );
  let worst: Blocked | undefined;
  for (const r of over) {
    const at = limitReachedAt(r, limitOf(r, limits, keys), KEYS[r.dim](keys)!, minutes, now - r.windowMs);
    if (at === undefined) continue;
    const retryAt = at + r.windowMs;
    // The flows started answer first, as when they were checked before the send (the guest
    // is told so, and when they lift); otherwise the guest is told the latest time that
    // lifts every limit in the way.
    if (worst?.scope === 'flow-start') continue;
    if (!worst || r.scope === 'flow-start' || retryAt > worst.retryAt) worst = { scope: r.scope, retryAt };
  }
  return worst;
}

/**
 * The check of sendBlocked, made by the transaction's COMMIT instead of a read before it
 * (store/requirements.ts: no trip of its own, so the writer is held for one trip fewer per
 * send). Deferred before the send's own writes, under its lock: when any limit is already
 * reached the transaction fails as a whole (isUnmet), and the caller asks sendBlocked, under
 * the lock, which limit it was and until when.
 */
export function guardSendLimits(tx: Tx, limits: VenueSettings['limits'], keys: SendKeys, now: number): void {
  const params: Param[] = [];
  const reached = applying(keys).map((r) => {
    const sql = `${sentInWindow(r, keys, now, params)} >= ?`;
    params.push(limitOf(r, limits, keys));
    return sql;
  });
  requireIn(tx, `SELECT 1 WHERE NOT (${reached.join(' OR ')})`, params);
}

/**
 * The time of the limit-th most recent send in a rule's window, or as late as its minute
 * allows: the guest may try again a window after it. Walking the minutes newest first, the
 * one whose sum reaches the limit holds that send: its first send when that is the one
 * (the sum is exactly the limit and the minute wholly inside the window), else its last
 * send (at most a minute late, never early; the whole minute has left when the guest is back).
 */
function limitReachedAt(r: Rule, limit: number, k: string, minutes: Minute[], from: number): number | undefined {
  let sum = 0;
  for (const m of minutes) {
    if (m.dim !== r.dim || m.k !== k || Number(m.bucket) < bucketOf(from) || Number(m.last_at) <= from) continue;
    const whole = Number(m.first_at) > from;
    sum += whole ? Number(m.n) : Math.max(0, Number(m.n) - 1);
    if (sum >= limit) return sum === limit && whole ? Number(m.first_at) : Number(m.last_at);
  }
  return undefined;
}

const counted = (keys: SendKeys) =>
  (Object.keys(KEYS) as Dim[]).flatMap((dim) => {
    const k = KEYS[dim](keys);
    return k === null ? [] : [[dim, k] as const];
  });

/** One more send for each of its keys, in one statement. */
function count(keys: SendKeys, at: number): [string, Param[]] {
  const rows = counted(keys);
  return [
    `INSERT INTO verification_counts (dim, k, bucket, n, first_at, last_at) VALUES ${rows.map(() => '(?, ?, ?, 1, ?, ?)').join(', ')}
     ON CONFLICT (dim, k, bucket) DO UPDATE SET n = verification_counts.n + 1,
       first_at = CASE WHEN excluded.first_at < verification_counts.first_at THEN excluded.first_at ELSE verification_counts.first_at END,
       last_at = CASE WHEN excluded.last_at > verification_counts.last_at THEN excluded.last_at ELSE verification_counts.last_at END`,
    rows.flatMap(([dim, k]) => [dim, k, bucketOf(at), at, at]),
  ];
}

/** A send that did not go out is not counted: one less for each of its keys. */
function uncount(keys: SendKeys, at: number): [string, Param[]] {
  const rows = counted(keys);
  return [
    // Which of the minute's sends is its oldest is no longer known: its first time becomes its last (late, never early).
    `UPDATE verification_counts SET n = n - 1, first_at = last_at WHERE bucket = ? AND n > 0 AND (${rows.map(() => '(dim = ? AND k = ?)').join(' OR ')})`,
    [bucketOf(at), ...rows.flat()],
  ];
}

const INSERT_SEND = `INSERT INTO verification_sends (at, venue_id, verification_id, status, number_hash, mac_hash, client_ip, nas_id, country_code)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const sendRow = (keys: SendKeys, verificationId: string, now: number, status: 'reserved' | 'sent') => [
  now,
  keys.venueId,
  verificationId,
  status,
  keys.numberHash,
  keys.macHash,
  keys.clientIp,
  keys.nasId,
  keys.callingCode,
];

/** Counts a send before the gateway is called (a resend, settled by its id); a crash after this still counts (conservative). */
export async function reserveSend(db: Queryable, keys: SendKeys, verificationId: string, now: number): Promise<number> {
  const row = await db.get<{ id: number }>(
    `${INSERT_SEND} RETURNING id`,
    sendRow(keys, verificationId, now, 'reserved'),
  );
  await writeWithCommit(db, ...count(keys, now));
  return row!.id;
}

/**
 * A first send, written as done with the sender's COMMIT (Tx.defer), before the gateway is
 * called: only a failure settles it (failSend), by its verification, which has this one send.
 */
export function recordSend(tx: Tx, keys: SendKeys, verificationId: string, now: number): void {
  tx.defer(INSERT_SEND, sendRow(keys, verificationId, now, 'sent'));
  tx.defer(...count(keys, now));
}

/** A first send the gateway refused (recordSend's): marked failed and no longer counted, with the sender's COMMIT. */
export function failSend(tx: Tx, keys: SendKeys, verificationId: string, at: number): void {
  tx.defer(`UPDATE verification_sends SET status = 'failed' WHERE verification_id = ?`, [verificationId]);
  tx.defer(...uncount(keys, at));
}

interface SendRow {
  at: number;
  venue_id: string;
  number_hash: string;
  mac_hash: string | null;
  client_ip: string | null;
  nas_id: string | null;
  country_code: string;
}

export async function settleSend(db: Queryable, sendId: number, ok: boolean): Promise<void> {
  if (ok) return writeWithCommit(db, `UPDATE verification_sends SET status = 'sent' WHERE id = ?`, [sendId]);
  // A refused resend is rare: it may cost trips to read what it was counted under. Marked
  // failed first: a crash between the two leaves it counted (conservative), never twice uncounted.
  const s = await db.get<SendRow>('SELECT * FROM verification_sends WHERE id = ?', [sendId]);
  if (!s) return;
  const marked = await db.run(`UPDATE verification_sends SET status = 'failed' WHERE id = ? AND status <> 'failed'`, [
    sendId,
  ]);
  if (marked.changes === 0) return;
  const keys: SendKeys = {
    venueId: s.venue_id,
    numberHash: s.number_hash,
    macHash: s.mac_hash,
    clientIp: s.client_ip,
    nasId: s.nas_id,
    callingCode: s.country_code,
  };
  await db.run(...uncount(keys, Number(s.at)));
}
