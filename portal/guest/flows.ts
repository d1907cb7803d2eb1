// A guest's flow: the NAS hand-off and what the guest entered, kept server-side and
// found by an id that travels in the URL and the form (mini-browsers drop cookies)
// as well as in a signed cookie. Personal values are stored encrypted.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import type { Keys } from '../crypto/keys.ts';
import type { Handoff } from '../access-points/handoff.ts';

export type FlowState = 'new' | 'code_sent' | 'done';

export interface Choices {
  terms: boolean;
  sms: boolean;
  email: boolean;
}

export interface Details {
  name?: string;
  email?: string;
  birthDate?: string;
}

export interface Flow {
  id: string;
  venueId: string;
  state: FlowState;
  handoff: Handoff;
  macHash: string | null;
  locale: string | null;
  e164: string | null;
  details: Details;
  choices: Choices | null;
  templateVersionId: string | null;
  verificationId: string | null;
  grantId: string | null;
  userAgent: string | null;
  createdAt: number;
  expiresAt: number;
}

interface FlowRow {
  id: string;
  venue_id: string;
  state: FlowState;
  handoff_enc: string;
  mac_hash: string | null;
  locale: string | null;
  number_enc: string | null;
  details_enc: string | null;
  choices: string | null;
  template_version_id: string | null;
  verification_id: string | null;
  grant_id: string | null;
  user_agent: string | null;
  created_at: number;
  expires_at: number;
}

/** An abandoned flow lasts this long; one with a code in flight lasts as long as the code. */
export const FLOW_TTL_MS = 60 * 60_000;

export const macHash = (keys: Keys, mac: string | undefined) => (mac ? keys.hmac('number-hash', `mac:${mac}`) : null);

export interface FlowDeps {
  keys: Keys;
  cipher: FieldCipher;
}

export async function createFlow(db: Queryable, deps: FlowDeps, f: { venueId: string; handoff: Handoff; locale: string; userAgent: string | null }, now: number): Promise<Flow> {
  const id = randomUUID();
  const mac = macHash(deps.keys, f.handoff.clientMac);
  await db.run(
    `INSERT INTO guest_flows (id, venue_id, state, handoff_enc, mac_hash, locale, user_agent, created_at, updated_at, expires_at)
     VALUES (?, ?, 'new', ?, ?, ?, ?, ?, ?, ?)`,
    [id, f.venueId, deps.cipher.encrypt(JSON.stringify(f.handoff)), mac, f.locale, f.userAgent, now, now, now + FLOW_TTL_MS],
  );
  return {
    id, venueId: f.venueId, state: 'new', handoff: f.handoff, macHash: mac, locale: f.locale, e164: null, details: {}, choices: null,
    templateVersionId: null, verificationId: null, grantId: null, userAgent: f.userAgent, createdAt: now, expiresAt: now + FLOW_TTL_MS,
  };
}

export async function loadFlow(db: Queryable, deps: FlowDeps, id: string, venueId: string, now: number): Promise<Flow | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const r = await db.get<FlowRow>('SELECT * FROM guest_flows WHERE id = ? AND venue_id = ?', [id, venueId]);
  if (!r || Number(r.expires_at) <= now) return undefined;
  return {
    id: r.id,
    venueId: r.venue_id,
    state: r.state,
    handoff: JSON.parse(deps.cipher.decrypt(r.handoff_enc)) as Handoff,
    macHash: r.mac_hash,
    locale: r.locale,
    e164: r.number_enc ? deps.cipher.decrypt(r.number_enc) : null,
    details: r.details_enc ? (JSON.parse(deps.cipher.decrypt(r.details_enc)) as Details) : {},
    choices: r.choices ? (JSON.parse(r.choices) as Choices) : null,
    templateVersionId: r.template_version_id,
    verificationId: r.verification_id,
    grantId: r.grant_id,
    userAgent: r.user_agent,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
  };
}

export async function setFlowLocale(db: Queryable, flowId: string, locale: string, now: number): Promise<void> {
  await db.run('UPDATE guest_flows SET locale = ?, updated_at = ? WHERE id = ?', [locale, now, flowId]);
}

/** Screen 1 accepted: what the guest entered and chose, on the page version they saw. */
export async function saveSubmission(
  db: Queryable,
  deps: FlowDeps,
  flowId: string,
  s: { e164: string; details: Details; choices: Choices; templateVersionId: string; locale: string },
  now: number,
): Promise<void> {
  await db.run(
    `UPDATE guest_flows SET number_enc = ?, details_enc = ?, choices = ?, template_version_id = ?, locale = ?, updated_at = ? WHERE id = ?`,
    [deps.cipher.encrypt(s.e164), deps.cipher.encrypt(JSON.stringify(s.details)), JSON.stringify(s.choices), s.templateVersionId, s.locale, now, flowId],
  );
}

export async function markCodeSent(db: Queryable, flowId: string, verificationId: string, codeExpiresAt: number, now: number): Promise<void> {
  await db.run(`UPDATE guest_flows SET state = 'code_sent', verification_id = ?, updated_at = ?, expires_at = ? WHERE id = ?`, [
    verificationId, now, Math.max(codeExpiresAt, now + FLOW_TTL_MS), flowId,
  ]);
}

export async function markDone(db: Queryable, flowId: string, grantId: string, until: number, now: number): Promise<void> {
  await db.run(`UPDATE guest_flows SET state = 'done', grant_id = ?, updated_at = ?, expires_at = ? WHERE id = ?`, [grantId, now, until, flowId]);
}

/**
 * A device's finished flow whose grant the NAS has not seen yet (the answer carrying the
 * hand-back was lost): coming back from the redirect, the guest is handed the same grant.
 */
export async function unusedGrantFlowId(db: Queryable, venueId: string, mac: string | null, now: number): Promise<string | undefined> {
  if (!mac) return undefined;
  const r = await db.get<{ id: string }>(
    `SELECT f.id FROM guest_flows f JOIN grants g ON g.id = f.grant_id
     WHERE f.venue_id = ? AND f.mac_hash = ? AND f.state = 'done' AND f.updated_at > ?
       AND g.ends_at > ? AND g.revoked_at IS NULL AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.grant_id = g.id)
     ORDER BY f.updated_at DESC LIMIT 1`,
    [venueId, mac, now - 15 * 60_000, now],
  );
  return r?.id;
}

/** The same, for the flow a signed cookie names (when the redirect carries no MAC). */
export async function resumableFlowById(db: Queryable, venueId: string, flowId: string | undefined, mac: string | null, now: number): Promise<string | undefined> {
  if (!flowId || !/^[0-9a-f-]{36}$/.test(flowId)) return undefined;
  const r = await db.get<{ id: string; mac_hash: string | null }>(
    `SELECT f.id, f.mac_hash FROM guest_flows f JOIN verifications v ON v.id = f.verification_id
     WHERE f.id = ? AND f.venue_id = ? AND f.state = 'code_sent' AND f.expires_at > ?
       AND v.status = 'sent' AND v.expires_at > ? AND v.failures < v.max_attempts`,
    [flowId, venueId, now, now],
  );
  // A cookie from another device's flow does not carry over to this one.
  return r && (!mac || !r.mac_hash || r.mac_hash === mac) ? r.id : undefined;
}

/** A device back within its code's lifetime (the mini-browser closed for the SMS app). */
export async function resumableFlowId(db: Queryable, venueId: string, mac: string | null, now: number): Promise<string | undefined> {
  if (!mac) return undefined;
  const r = await db.get<{ id: string }>(
    `SELECT f.id FROM guest_flows f JOIN verifications v ON v.id = f.verification_id
     WHERE f.venue_id = ? AND f.mac_hash = ? AND f.state = 'code_sent' AND f.expires_at > ?
       AND v.status = 'sent' AND v.expires_at > ? AND v.failures < v.max_attempts
     ORDER BY f.updated_at DESC LIMIT 1`,
    [venueId, mac, now, now],
  );
  return r?.id;
}
