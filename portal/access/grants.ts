// Grants: written in the same transaction as the consent events they rest on.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import type { VenueSettings } from '../venues/settings.ts';

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
    clientMac: g.clientMac ?? null,
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
  await tx.run(
    `INSERT INTO grants (id, venue_id, subject_id, username, password_enc, client_mac, nas_id, starts_at, ends_at,
       session_timeout, idle_timeout, up_kbps, down_kbps, data_cap_bytes, max_sessions, remember_until, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      grant.id, grant.venueId, grant.subjectId, grant.username, cipher.encrypt(grant.password), grant.clientMac, grant.nasId,
      grant.startsAt, grant.endsAt, grant.sessionTimeout, grant.idleTimeout, grant.upKbps, grant.downKbps, grant.dataCapBytes,
      grant.maxSessions, grant.rememberUntil, now,
    ],
  );
  return grant;
}
