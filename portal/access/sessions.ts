// The sessions table: what RADIUS accounting says is online. Start, Interim-Update and
// Stop upsert on (NAS, Acct-Session-Id), so retransmissions and reordering are harmless:
// octets and times only move forward, and a real Stop is never undone.
// Times are Foyer's clock (receive time less Acct-Delay-Time), not the NAS's, so stale
// detection does not depend on the NAS's clock being right.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Queryable } from '../store/db.ts';
import type { AccountingRecord } from '../../radius/types.ts';
import { normaliseMac } from './mac-format.ts';
import { venueNamesById } from '../venues/venue-names.ts';

/** Marks a session Foyer closed for lack of updates; a later Interim-Update reopens it. */
export const STALE_CAUSE = 'Stale-Session';

export interface Session {
  id: string;
  nasId: string;
  /** NAS-IP-Address (or NAS-IPv6-Address) the NAS reported in accounting. */
  nasIp: string | null;
  acctSessionId: string;
  grantId: string | null;
  username: string | null;
  mac: string | null;
  framedIp: string | null;
  startedAt: number;
  updatedAt: number;
  stoppedAt: number | null;
  sessionTime: number;
  inputOctets: number;
  outputOctets: number;
  terminateCause: string | null;
  interimInterval: number;
  staleAt: number;
  disconnectAt: number | null;
  disconnectResult: string | null;
}

interface Row {
  id: string;
  nas_id: string;
  nas_ip: string | null;
  acct_session_id: string;
  grant_id: string | null;
  username: string | null;
  mac: string | null;
  framed_ip: string | null;
  started_at: number;
  updated_at: number;
  stopped_at: number | null;
  session_time: number;
  input_octets: number;
  output_octets: number;
  terminate_cause: string | null;
  interim_interval: number;
  stale_at: number;
  disconnect_at: number | null;
  disconnect_result: string | null;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const fromRow = (r: Row): Session => ({
  id: r.id,
  nasId: r.nas_id,
  nasIp: r.nas_ip,
  acctSessionId: r.acct_session_id,
  grantId: r.grant_id,
  username: r.username,
  mac: r.mac,
  framedIp: r.framed_ip,
  startedAt: Number(r.started_at),
  updatedAt: Number(r.updated_at),
  stoppedAt: num(r.stopped_at),
  sessionTime: Number(r.session_time),
  inputOctets: Number(r.input_octets),
  outputOctets: Number(r.output_octets),
  terminateCause: r.terminate_cause,
  interimInterval: Number(r.interim_interval),
  staleAt: Number(r.stale_at),
  disconnectAt: num(r.disconnect_at),
  disconnectResult: r.disconnect_result,
});

const later = (col: string) =>
  `CASE WHEN excluded.${col} > sessions.${col} THEN excluded.${col} ELSE sessions.${col} END`;
// A session is still open, or was closed only by the stale job: take what the NAS says now.
const reopenable = `(sessions.stopped_at IS NULL OR sessions.terminate_cause = '${STALE_CAUSE}')`;

const UPSERT = `INSERT INTO sessions (id, nas_id, nas_ip, acct_session_id, grant_id, username, mac, framed_ip, started_at, updated_at, stopped_at,
    session_time, input_octets, output_octets, terminate_cause, interim_interval, stale_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (nas_id, acct_session_id) DO UPDATE SET
    nas_ip = COALESCE(excluded.nas_ip, sessions.nas_ip),
    grant_id = COALESCE(sessions.grant_id, excluded.grant_id),
    username = COALESCE(sessions.username, excluded.username),
    mac = COALESCE(sessions.mac, excluded.mac),
    framed_ip = COALESCE(excluded.framed_ip, sessions.framed_ip),
    started_at = CASE WHEN excluded.started_at < sessions.started_at THEN excluded.started_at ELSE sessions.started_at END,
    updated_at = ${later('updated_at')},
    stopped_at = CASE WHEN ${reopenable} THEN excluded.stopped_at ELSE sessions.stopped_at END,
    terminate_cause = CASE WHEN ${reopenable} THEN excluded.terminate_cause ELSE sessions.terminate_cause END,
    session_time = ${later('session_time')},
    input_octets = ${later('input_octets')},
    output_octets = ${later('output_octets')},
    interim_interval = excluded.interim_interval,
    stale_at = ${later('stale_at')}`;

export interface StoreOptions {
  grantId: string | null;
  interimSeconds: number;
  /** Receive time, Foyer's clock. */
  now: number;
}

function nasIp(attrs: Record<string, unknown>): string | null {
  for (const name of ['NAS-IP-Address', 'NAS-IPv6-Address']) {
    const v = Array.isArray(attrs[name]) ? (attrs[name] as unknown[])[0] : attrs[name];
    if (typeof v === 'string' && isIP(v)) return v;
  }
  return null;
}

/** Stores a Start, Interim-Update or Stop. Returns the session as stored. */
export async function storeAccounting(
  db: Queryable,
  rec: AccountingRecord & { sessionId: string },
  o: StoreOptions,
): Promise<Session> {
  const delay = Number(rec.attributes['Acct-Delay-Time'] ?? 0);
  const at = o.now - (Number.isFinite(delay) && delay > 0 ? delay * 1000 : 0);
  const sessionTime = rec.sessionTimeSeconds ?? 0;
  const startedAt = rec.status === 'start' ? at : at - sessionTime * 1000;
  const stop = rec.status === 'stop';
  await db.run(UPSERT, [
    randomUUID(),
    rec.nas.id,
    nasIp(rec.attributes),
    rec.sessionId,
    o.grantId,
    rec.userName ?? null,
    normaliseMac(rec.callingStationId) ?? null,
    rec.framedIpAddress ?? null,
    startedAt,
    at,
    stop ? at : null,
    sessionTime,
    rec.inputOctets ?? 0,
    rec.outputOctets ?? 0,
    stop ? (rec.terminateCause ?? 'Unknown') : null,
    o.interimSeconds,
    at + 3 * o.interimSeconds * 1000,
  ]);
  const row = await db.get<Row>('SELECT * FROM sessions WHERE nas_id = ? AND acct_session_id = ?', [
    rec.nas.id,
    rec.sessionId,
  ]);
  return fromRow(row!);
}

/** Accounting-On/Off: the NAS restarted or is going down, so none of its sessions survive. */
export async function closeNasSessions(db: Queryable, nasId: string, at: number, cause: string): Promise<number> {
  const { changes } = await db.run(
    'UPDATE sessions SET stopped_at = ?, terminate_cause = ? WHERE nas_id = ? AND stopped_at IS NULL',
    [at, cause, nasId],
  );
  return changes;
}

/** Closes sessions with no update for three interim intervals; they end when last heard of. */
export async function closeStaleSessions(db: Queryable, now: number): Promise<number> {
  const { changes } = await db.run(
    'UPDATE sessions SET stopped_at = updated_at, terminate_cause = ? WHERE stopped_at IS NULL AND stale_at <= ?',
    [STALE_CAUSE, now],
  );
  return changes;
}

export async function listSessions(db: Queryable, o: { all?: boolean; limit?: number } = {}): Promise<Session[]> {
  const where = o.all ? '' : 'WHERE stopped_at IS NULL';
  const rows = await db.all<Row>(`SELECT * FROM sessions ${where} ORDER BY started_at DESC LIMIT ?`, [o.limit ?? 1000]);
  return rows.map(fromRow);
}

/** A live session as the console lists it, with its NAS's and venue's names. */
export interface LiveSession {
  id: string;
  nas_id: string;
  nas_name: string | null;
  venue_name: string | null;
  mac: string | null;
  framed_ip: string | null;
  started_at: number;
  updated_at: number;
  input_octets: number;
  output_octets: number;
  disconnect_result: string | null;
  /** Its grant's venue, else its NAS's. */
  venue_id: string | null;
  /** The person its grant was given to; null for a session without a Foyer grant. */
  subject_id: string | null;
}

/** Open sessions, newest first; of one venue (its grant's, else its NAS's) when `venueId` is given. */
export async function liveSessions(
  db: Queryable,
  o: { venueId?: string; limit?: number } = {},
): Promise<LiveSession[]> {
  const venue = o.venueId === undefined ? '' : 'AND COALESCE(g.venue_id, n.venue_id) = ?';
  const rows = await db.all<Omit<LiveSession, 'venue_name'>>(
    `SELECT s.id, s.nas_id, n.name AS nas_name, COALESCE(g.venue_id, n.venue_id) AS venue_id, g.subject_id, s.mac, s.framed_ip, s.started_at, s.updated_at, s.input_octets, s.output_octets, s.disconnect_result
     FROM sessions s LEFT JOIN nas_clients n ON n.id = s.nas_id LEFT JOIN grants g ON g.id = s.grant_id
     WHERE s.stopped_at IS NULL ${venue} ORDER BY s.started_at DESC LIMIT ?`,
    [...(o.venueId === undefined ? [] : [o.venueId]), o.limit ?? 500],
  );
  // The venues' names are the venues' to read: one query for the few venues on the page.
  const names = await venueNamesById(
    db,
    rows.flatMap((r) => (r.venue_id === null ? [] : [r.venue_id])),
  );
  return rows.map((r) => ({
    ...r,
    venue_id: r.venue_id ?? null,
    subject_id: r.subject_id ?? null,
    venue_name: r.venue_id === null ? null : (names.get(r.venue_id)?.name ?? null),
  }));
}

/** By Foyer's session id, or by Acct-Session-Id when that names exactly one session. */
export async function findSession(db: Queryable, id: string): Promise<Session | undefined> {
  const own = await db.get<Row>('SELECT * FROM sessions WHERE id = ?', [id]);
  if (own) return fromRow(own);
  const byAcct = await db.all<Row>('SELECT * FROM sessions WHERE acct_session_id = ? LIMIT 2', [id]);
  return byAcct.length === 1 ? fromRow(byAcct[0]) : undefined;
}

export async function openSessionsOfGrant(db: Queryable, grantId: string): Promise<Session[]> {
  return (await db.all<Row>('SELECT * FROM sessions WHERE grant_id = ? AND stopped_at IS NULL', [grantId])).map(
    fromRow,
  );
}

/** Claims the right to send this session's Disconnect-Request (once, across processes). */
export async function claimDisconnect(db: Queryable, id: string, now: number): Promise<boolean> {
  const { changes } = await db.run('UPDATE sessions SET disconnect_at = ? WHERE id = ? AND disconnect_at IS NULL', [
    now,
    id,
  ]);
  return changes === 1;
}

export async function recordDisconnect(db: Queryable, id: string, now: number, result: string): Promise<void> {
  await db.run('UPDATE sessions SET disconnect_at = ?, disconnect_result = ? WHERE id = ?', [now, result, id]);
}
