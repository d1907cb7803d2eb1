// Grants: written in the same transaction as the consent events they rest on.
import { randomBytes, randomUUID } from 'node:crypto';
import { writeWithCommit, type Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import type { VenueSettings } from '../venues/settings.ts';
import type { Logger } from '../../radius/types.ts';
import { normaliseMac } from './mac-format.ts';
import { openSessionsOfGrant } from './sessions.ts';
import { disconnectSession, type Disconnector, type DisconnectReport } from './disconnect-request.ts';
import { coaDisconnector } from './coa.ts';
import { announce } from './access-caches.ts';
import { subjectsAgreeingAtPortal } from '../consent/agreeing-subjects.ts';

export interface Grant {
  id: string;
  venueId: string;
  subjectId: string;
  username: string;
  /** In clear only here, to hand to the NAS; stored encrypted (CHAP needs the clear text). */
  password: string;
  clientMac: string | null;
  nasId: string | null;
  startsAt: number;
  endsAt: number;
  sessionTimeout: number;
  idleTimeout: number;
  upKbps: number;
  downKbps: number;
  dataCapBytes: number;
  maxSessions: number;
  rememberUntil: number;
}

export interface NewGrant {
  venueId: string;
  subjectId: string;
  clientMac?: string | null;
  nasId?: string | null;
  session: VenueSettings['session'];
}

export async function createGrant(tx: Queryable, cipher: FieldCipher, g: NewGrant, now = Date.now()): Promise<Grant> {
  const s = g.session;
  const grant: Grant = {
    id: randomUUID(),
    venueId: g.venueId,
    subjectId: g.subjectId,
    username: `g-${randomBytes(6).toString('hex')}`,
    password: randomBytes(12).toString('base64url'),
    // One form for every vendor's notation, so MAC authentication finds it.
    clientMac: normaliseMac(g.clientMac) ?? null,
    nasId: g.nasId ?? null,
    startsAt: now,
    endsAt: now + s.durationMinutes * 60_000,
    sessionTimeout: s.durationMinutes * 60,
    idleTimeout: s.idleTimeoutMinutes * 60,
    upKbps: s.upKbps,
    downKbps: s.downKbps,
    dataCapBytes: s.dataCapMb * 1024 * 1024,
    maxSessions: s.devicesPerGuest,
    rememberUntil: s.rememberDays > 0 ? now + s.rememberDays * 86_400_000 : 0,
  };
  // Nothing is read back: inside the sign-up's transaction it goes with the COMMIT.
  await writeWithCommit(
    tx,
    `INSERT INTO grants (id, venue_id, subject_id, username, password_enc, client_mac, nas_id, starts_at, ends_at,
       session_timeout, idle_timeout, up_kbps, down_kbps, data_cap_bytes, max_sessions, remember_until, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      grant.id,
      grant.venueId,
      grant.subjectId,
      grant.username,
      cipher.encrypt(grant.password),
      grant.clientMac,
      grant.nasId,
      grant.startsAt,
      grant.endsAt,
      grant.sessionTimeout,
      grant.idleTimeout,
      grant.upKbps,
      grant.downKbps,
      grant.dataCapBytes,
      grant.maxSessions,
      grant.rememberUntil,
      now,
    ],
  );
  // A device's MAC authentication at the venue must read its new grant (this process at
  // once and at the commit; others through the feed, migration 013).
  if (grant.clientMac) announce(tx, (c) => c.deviceGranted(grant.clientMac!, grant.venueId));
  return grant;
}

export interface RevokeContext {
  db: Queryable;
  cipher: FieldCipher;
  log: Logger;
  now: () => number;
  /** Sends Disconnect-Requests to the NAS; radius/'s CoA client unless given. */
  disconnect?: Disconnector;
}

/**
 * Revokes a grant: no further Access-Accept, and each of its open sessions gets a
 * Disconnect-Request. Revoking twice is harmless (the second finds nothing new to do
 * except resend to sessions still open).
 */
export async function revokeGrant(
  ctx: RevokeContext,
  grantId: string,
): Promise<{ found: boolean; sessions: { id: string; outcome: DisconnectReport }[] }> {
  if (!(await markRevoked(ctx.db, grantId, ctx.now()))) return { found: false, sessions: [] };
  return disconnectRevoked(ctx, grantId);
}

/**
 * The database half of a revocation, inside the caller's transaction (an admin's audit
 * entry goes in the same one). False when there is no such grant. After the commit, call
 * disconnectRevoked().
 */
/** The venue a grant was given for, if the grant exists. */
export async function grantVenueId(db: Queryable, grantId: string): Promise<string | undefined> {
  return (await db.get<{ venue_id: string }>('SELECT venue_id FROM grants WHERE id = ?', [grantId]))?.venue_id;
}

export async function markRevoked(tx: Queryable, grantId: string, now: number): Promise<boolean> {
  await tx.run('UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, grantId]);
  announce(tx, (c) => c.grantChanged(grantId));
  return Boolean(await tx.get('SELECT 1 AS one FROM grants WHERE id = ?', [grantId]));
}

/** After a revocation committed (markRevoked told this process's caches): each of the grant's open sessions gets a Disconnect-Request. */
export async function disconnectRevoked(
  ctx: RevokeContext,
  grantId: string,
): Promise<{ found: true; sessions: { id: string; outcome: DisconnectReport }[] }> {
  const deps = {
    db: ctx.db,
    cipher: ctx.cipher,
    log: ctx.log,
    now: ctx.now,
    disconnect: ctx.disconnect ?? coaDisconnector(),
  };
  const open = await openSessionsOfGrant(ctx.db, grantId);
  // In parallel: one silent NAS must not hold up the others.
  const sessions = await Promise.all(
    open.map(async (s) => ({ id: s.id, outcome: await disconnectSession(deps, s, 'revoked') })),
  );
  ctx.log.info({ grant: grantId, sessions: sessions.length }, 'grant revoked');
  return { found: true, sessions };
}

/**
 * Devices this venue still remembers (MAC authentication within the remember window, not
 * revoked) whose person agreed at the portal to one of these purposes in one of these
 * languages: the devices a change of that wording will send back to the portal. Who
 * agreed is the ledger's to say (consent/agreeing-subjects.ts); which devices are
 * remembered is access's.
 */
export async function rememberedDevicesAgreeing(
  db: Queryable,
  venueId: string,
  changed: { purpose: string; locale: string }[],
  now: number,
): Promise<number> {
  if (!changed.length) return 0;
  const agreeing = await subjectsAgreeingAtPortal(db, venueId, changed);
  if (!agreeing.size) return 0;
  const remembered = await db.all<{ subject_id: string; client_mac: string }>(
    'SELECT DISTINCT subject_id, client_mac FROM grants WHERE venue_id = ? AND client_mac IS NOT NULL AND revoked_at IS NULL AND remember_until > ?',
    [venueId, now],
  );
  return new Set(remembered.filter((g) => agreeing.has(g.subject_id)).map((g) => g.client_mac)).size;
}
