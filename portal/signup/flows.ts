// A guest's flow: written when screen 1 is submitted and its code goes out, never when a
// page is shown. It belongs to the browser that started it: that browser holds a random
// secret in a signed HttpOnly cookie and the flow keeps only its keyed hash, so a flow id
// (in URLs and forms) or a MAC address (visible on the air) opens nothing by itself. What
// the guest entered lives with each code (verification_submissions), not here: the number
// a flow completes with is the one its current code was sent to.
import { randomBytes } from 'node:crypto';
import { writeWithCommit, type Db, type Queryable, type Tx } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import type { Keys } from '../crypto/keys.ts';
import { safeEqual } from '../crypto/keys.ts';
import type { Handoff } from '../access-points/handoff.ts';
import { grantAwaitingFirstSession } from '../access/handback.ts';

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
  verificationId: string | null;
  grantId: string | null;
  userAgent: string | null;
  secretHash: string | null;
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
  verification_id: string | null;
  grant_id: string | null;
  user_agent: string | null;
  secret_hash: string | null;
  created_at: number;
  expires_at: number;
}

/** An abandoned flow lasts this long; one with a code in flight lasts as long as the code. */
export const FLOW_TTL_MS = 60 * 60_000;

export const macHash = (keys: Keys, mac: string | undefined) => (mac ? keys.hmac('number-hash', `mac:${mac}`) : null);

/** A new random browser secret (for the cookie) or single-use hand-back key (for a link). */
export const newSecret = () => randomBytes(24).toString('base64url');
const secretHash = (keys: Keys, kind: 'browser' | 'handback', secret: string) =>
  keys.hmac('guest-flow', `${kind}:${secret}`);

export function ownsFlow(keys: Keys, flow: Pick<Flow, 'secretHash'>, secret: string | undefined): boolean {
  return Boolean(secret && flow.secretHash && safeEqual(secretHash(keys, 'browser', secret), flow.secretHash));
}

export interface FlowDeps {
  keys: Keys;
  cipher: FieldCipher;
}

export interface NewFlow {
  id: string;
  venueId: string;
  handoff: Handoff;
  locale: string;
  userAgent: string | null;
  clientIp: string | null;
  secret: string;
  verificationId: string;
  codeExpiresAt: number;
}

/**
 * The flow's row, written with its first code in the code's transaction (Tx.defer: no trip of
 * its own), before the code goes out. The browser gets the flow's secret only in the answer
 * saying the code went out, so until then the row is nobody's: no page opens it, resume
 * finds it only through the cookie. A send that fails deletes it (forgetFlow); a crash
 * before that leaves a row no browser holds, which expires. An id already taken (the same
 * page submitted twice at once) fails the transaction with StoreError 'conflict', before
 * any code is sent.
 */
export function createFlowIn(tx: Tx, deps: FlowDeps, f: NewFlow, now: number): void {
  tx.defer(
    `INSERT INTO guest_flows (id, venue_id, state, handoff_enc, mac_hash, locale, user_agent, client_ip, secret_hash, verification_id, created_at, updated_at, expires_at)
     VALUES (?, ?, 'code_sent', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      f.id,
      f.venueId,
      deps.cipher.encrypt(JSON.stringify(f.handoff)),
      macHash(deps.keys, f.handoff.clientMac),
      f.locale,
      f.userAgent,
      f.clientIp,
      secretHash(deps.keys, 'browser', f.secret),
      f.verificationId,
      now,
      now,
      flowExpiry(f.codeExpiresAt, now),
    ],
  );
}

/** A new flow whose code could not be sent: as if it had never been started. */
export async function forgetFlow(db: Db, flowId: string): Promise<void> {
  await db.write([`DELETE FROM guest_flows WHERE id = ? AND state = 'code_sent'`, [flowId]]);
}

/** When a flow with a code that expires at `codeExpiresAt` expires. */
export const flowExpiry = (codeExpiresAt: number, now: number) => Math.max(codeExpiresAt, now + FLOW_TTL_MS);

export async function loadFlow(
  db: Queryable,
  deps: FlowDeps,
  id: string,
  venueId: string,
  now: number,
): Promise<Flow | undefined> {
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
    verificationId: r.verification_id,
    grantId: r.grant_id,
    userAgent: r.user_agent,
    secretHash: r.secret_hash,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
  };
}

/** No answer needed (db.write). */
export async function setFlowLocale(db: Db, flowId: string, locale: string, now: number): Promise<void> {
  await db.write(['UPDATE guest_flows SET locale = ?, updated_at = ? WHERE id = ?', [locale, now, flowId]]);
}

/**
 * The flow's current code is now this one (a new number, or a spent code replaced); never
 * once done. Only after the code went out: until then the flow keeps the code it had.
 * No answer needed (db.write: under load no writer trip of its own).
 */
export async function markCodeSent(
  db: Db,
  flowId: string,
  verificationId: string,
  codeExpiresAt: number,
  now: number,
): Promise<void> {
  await db.write([
    `UPDATE guest_flows SET state = 'code_sent', verification_id = ?, updated_at = ?, expires_at = ? WHERE id = ? AND state <> 'done'`,
    [verificationId, now, flowExpiry(codeExpiresAt, now), flowId],
  ]);
}

/** Done, with a single-use key (kept hashed) for the online page in a browser that lost its cookie; with the COMMIT inside a transaction. */
export async function markDone(
  db: Queryable,
  keys: Keys,
  flowId: string,
  grantId: string,
  until: number,
  handbackKey: string,
  now: number,
): Promise<void> {
  await writeWithCommit(
    db,
    `UPDATE guest_flows SET state = 'done', grant_id = ?, handback_hash = ?, updated_at = ?, expires_at = ? WHERE id = ?`,
    [grantId, secretHash(keys, 'handback', handbackKey), now, until, flowId],
  );
}

/**
 * A finished flow whose grant the NAS has not seen yet (the answer carrying the hand-back
 * was lost): coming back from the redirect in the same browser, the guest is handed the
 * same grant again.
 */
export async function handbackPending(db: Queryable, flowId: string, now: number): Promise<boolean> {
  const r = await db.get<{ grant_id: string | null }>(
    `SELECT grant_id FROM guest_flows WHERE id = ? AND state = 'done' AND updated_at > ?`,
    [flowId, now - 15 * 60_000],
  );
  return Boolean(r?.grant_id) && (await grantAwaitingFirstSession(db, r!.grant_id!, now));
}

/** Uses up the hand-back key: true for its first use only. */
export async function takeHandbackKey(db: Queryable, keys: Keys, flowId: string, key: string): Promise<boolean> {
  if (!key || key.length > 64) return false;
  const r = await db.run('UPDATE guest_flows SET handback_hash = NULL WHERE id = ? AND handback_hash = ?', [
    flowId,
    secretHash(keys, 'handback', key),
  ]);
  return r.changes === 1;
}
