// A grant as the auth path needs it, in ONE indexed query: the grant row plus the
// octets used in its current window, the number of its other devices online and when the
// first of those goes stale (correlated sub-queries on sessions_grant_usage and sessions_grant_open).
import type { Queryable } from '../store/db.ts';
import type { Grant } from './grants.ts';

/** A grant as the auth path needs it: the stored grant (password still encrypted) and its usage. */
export interface GrantState extends Omit<Grant, 'subjectId' | 'password' | 'nasId'> {
  /** The grant's person at its venue: whose consent events concern this grant (grant-changes.ts). */
  subjectId: string | null;
  passwordEnc: string;
  revokedAt: number | null;
  /** Octets in and out over the grant's sessions in its current window. */
  usedOctets: number;
  /** Open, not stale sessions of this grant from devices other than the one asking. */
  otherOpenSessions: number;
  /** When the first of those goes stale (the count is right until then), or null. */
  otherOpenUntil: number | null;
  /** Until when the device asking is blocked at the grant's venue (device-blocks.ts), or null. */
  blockedUntil: number | null;
  /**
   * Set by MAC authentication only (authorize.ts): consent given under wording the venue
   * has since changed, so the device is sent to the portal. Kept with the cached state.
   */
  reconsent?: boolean;
}

interface Row {
  id: string;
  venue_id: string;
  username: string;
  password_enc: string;
  client_mac: string | null;
  starts_at: number;
  ends_at: number;
  session_timeout: number;
  idle_timeout: number;
  up_kbps: number;
  down_kbps: number;
  data_cap_bytes: number;
  max_sessions: number;
  remember_until: number;
  revoked_at: number | null;
  used_octets: number | string;
  other_open: number | string;
  other_open_until: number | string | null;
  blocked_until: number | string | null;
  subject_id: string | null;
}

// The grant's sessions open (not stopped, not stale) from devices other than the one asking.
const OTHER_OPEN = `FROM sessions s WHERE s.grant_id = g.id AND s.stopped_at IS NULL AND s.stale_at > ? AND (s.mac IS NULL OR s.mac <> ?)`;

const SELECT = `SELECT g.id, g.venue_id, g.username, g.password_enc, g.client_mac, g.starts_at, g.ends_at, g.session_timeout,
    g.idle_timeout, g.up_kbps, g.down_kbps, g.data_cap_bytes, g.max_sessions, g.remember_until, g.revoked_at,
    (SELECT COALESCE(SUM(s.input_octets + s.output_octets), 0) FROM sessions s WHERE s.grant_id = g.id) - g.used_base_octets AS used_octets,
    (SELECT COUNT(*) ${OTHER_OPEN}) AS other_open,
    (SELECT MIN(s.stale_at) ${OTHER_OPEN}) AS other_open_until,
    (SELECT b.until_at FROM device_blocks b WHERE b.venue_id = g.venue_id AND b.mac = ?) AS blocked_until, g.subject_id
  FROM grants g`;

const fromRow = (r: Row): GrantState => ({
  id: r.id,
  venueId: r.venue_id,
  username: r.username,
  passwordEnc: r.password_enc,
  clientMac: r.client_mac,
  startsAt: Number(r.starts_at),
  endsAt: Number(r.ends_at),
  sessionTimeout: Number(r.session_timeout),
  idleTimeout: Number(r.idle_timeout),
  upKbps: Number(r.up_kbps),
  downKbps: Number(r.down_kbps),
  dataCapBytes: Number(r.data_cap_bytes),
  maxSessions: Number(r.max_sessions),
  rememberUntil: Number(r.remember_until),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  usedOctets: Number(r.used_octets),
  otherOpenSessions: Number(r.other_open),
  otherOpenUntil: r.other_open_until === null ? null : Number(r.other_open_until),
  blockedUntil: r.blocked_until === null || r.blocked_until === undefined ? null : Number(r.blocked_until),
  subjectId: r.subject_id ?? null,
});

/** The auth path's queries, exported so a test can hold their plans to index searches. */
export const GRANT_STATE_SQL = {
  byUsername: `${SELECT} WHERE g.username = ?`,
  byMac: `${SELECT} WHERE g.client_mac = ? AND g.venue_id = ? ORDER BY g.ends_at DESC LIMIT 1`,
  byId: `${SELECT} WHERE g.id = ?`,
};

/** By RADIUS user name (grants.username is unique). `mac`: the device asking, not counted against the limit. */
export async function grantStateByUsername(
  db: Queryable,
  username: string,
  mac: string | undefined,
  now: number,
): Promise<GrantState | undefined> {
  const r = await db.get<Row>(GRANT_STATE_SQL.byUsername, [now, mac ?? '', now, mac ?? '', mac ?? '', username]);
  return r && fromRow(r);
}

/** The device's latest grant at the venue (grants_mac index), revoked or not: revoking the latest blocks the device. */
export async function grantStateByMac(
  db: Queryable,
  mac: string,
  venueId: string,
  now: number,
): Promise<GrantState | undefined> {
  const r = await db.get<Row>(GRANT_STATE_SQL.byMac, [now, mac, now, mac, mac, mac, venueId]);
  return r && fromRow(r);
}

export async function grantStateById(db: Queryable, id: string, now: number): Promise<GrantState | undefined> {
  const r = await db.get<Row>(GRANT_STATE_SQL.byId, [now, '', now, '', '', id]);
  return r && fromRow(r);
}
