// Send limits, counted from verification_sends in the database so every process sees
// the same counts. A limit of N per window is reached when the N-th most recent send
// in the window exists; the guest may try again when that send leaves the window.
import { writeWithCommit, type Queryable, type Tx } from '../store/db.ts';
import type { VenueSettings } from '../venues/settings.ts';

export interface SendKeys {
  venueId: string;
  numberHash: string;
  macHash: string | null;
  clientIp: string | null;
  nasId: string | null;
  /** Destination country calling code, e.g. "359". */
  callingCode: string;
}

export type LimitScope = 'number-10min' | 'number-day' | 'mac' | 'ip' | 'nas' | 'country' | 'venue-day';

export interface Blocked {
  scope: LimitScope;
  /** When the guest may try again (ms since epoch). */
  retryAt: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface Rule {
  scope: LimitScope;
  where: string;
  params: (k: SendKeys) => (string | null)[];
  windowMs: number;
  limit: (l: VenueSettings['limits']) => number;
  applies: (k: SendKeys) => boolean;
}

const always = () => true;

const RULES: Rule[] = [
  {
    scope: 'number-10min',
    where: 'number_hash = ?',
    params: (k) => [k.numberHash],
    windowMs: 10 * MIN,
    limit: (l) => l.perNumber10Min,
    applies: always,
  },
  {
    scope: 'number-day',
    where: 'number_hash = ?',
    params: (k) => [k.numberHash],
    windowMs: DAY,
    limit: (l) => l.perNumberDay,
    applies: always,
  },
  {
    scope: 'mac',
    where: 'mac_hash = ?',
    params: (k) => [k.macHash],
    windowMs: HOUR,
    limit: (l) => l.perMacHour,
    applies: (k) => Boolean(k.macHash),
  },
  // Per venue: one busy NAT (hotel, airport, a carrier's shared address) that reaches one
  // venue's limit must not block the guests of every other venue behind the same address.
  {
    scope: 'ip',
    where: 'venue_id = ? AND client_ip = ?',
    params: (k) => [k.venueId, k.clientIp],
    windowMs: HOUR,
    limit: (l) => l.perIpHour,
    applies: (k) => Boolean(k.clientIp),
  },
  {
    scope: 'nas',
    where: 'venue_id = ? AND nas_id = ?',
    params: (k) => [k.venueId, k.nasId],
    windowMs: HOUR,
    limit: (l) => l.perNasHour,
    applies: (k) => Boolean(k.nasId),
  },
  {
    scope: 'country',
    where: 'venue_id = ? AND country_code = ?',
    params: (k) => [k.venueId, k.callingCode],
    windowMs: HOUR,
    limit: (l) => l.perCountryHour,
    applies: always,
  },
  {
    scope: 'venue-day',
    where: 'venue_id = ?',
    params: (k) => [k.venueId],
    windowMs: DAY,
    limit: (l) => l.venueDaily,
    applies: always,
  },
];

/**
 * The first limit this send would exceed, or undefined when it may go. Every rule that
 * applies is asked in ONE statement (a scalar subquery per rule, each the N-th most
 * recent send in its window): one round trip inside the sender's transaction, not seven.
 */
export async function sendBlocked(
  db: Queryable,
  limits: VenueSettings['limits'],
  keys: SendKeys,
  now: number,
): Promise<Blocked | undefined> {
  const rules = RULES.filter((r) => r.applies(keys));
  const params: (string | number | null)[] = [];
  const checks = rules.map((r, i) => {
    params.push(...r.params(keys), now - r.windowMs);
    // The limit is a validated integer from the venue's settings, never the guest's input.
    const n = Math.max(1, Math.floor(r.limit(limits)));
    return `(SELECT at FROM verification_sends WHERE ${r.where} AND at > ? AND status <> 'failed' ORDER BY at DESC LIMIT 1 OFFSET ${n - 1}) AS r${i}`;
  });
  const row = await db.get<Record<string, number | null>>(`SELECT ${checks.join(', ')}`, params);
  let worst: Blocked | undefined;
  rules.forEach((r, i) => {
    const at = row?.[`r${i}`];
    if (at === null || at === undefined) return;
    const retryAt = Number(at) + r.windowMs;
    // The guest is told the latest time that lifts every limit in the way.
    if (!worst || retryAt > worst.retryAt) worst = { scope: r.scope, retryAt };
  });
  return worst;
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
  return row!.id;
}

/**
 * A first send, written as done with the sender's COMMIT (Tx.defer), before the gateway is
 * called: only a failure settles it, by its verification, which has this one send.
 */
export function recordSend(tx: Tx, keys: SendKeys, verificationId: string, now: number): void {
  tx.defer(INSERT_SEND, sendRow(keys, verificationId, now, 'sent'));
}

export async function settleSend(db: Queryable, sendId: number, ok: boolean): Promise<void> {
  await writeWithCommit(db, 'UPDATE verification_sends SET status = ? WHERE id = ?', [ok ? 'sent' : 'failed', sendId]);
}
