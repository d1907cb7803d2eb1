// Issuing, re-sending and checking codes. Each send is recorded (and counted against the
// limits) in a transaction that commits BEFORE the gateway is called; the gateway's
// answer then marks it sent or failed. Nothing here ever logs a code.
import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../store/db.ts';
import { isUnmet, requireOneChanged } from '../store/requirements.ts';
import type { Keys } from '../crypto/keys.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import type { Logger } from '../log.ts';
import { maskNumber } from '../log.ts';
import type { SmsGateway } from '../sms/gateway.ts';
import type { VenueSettings } from '../venues/settings.ts';
import { codeHmac, codeMatches, generateCode, normaliseGuess } from './codes.ts';
import {
  failSend,
  guardSendLimits,
  recordSend,
  reserveSend,
  sendBlocked,
  settleSend,
  type LimitScope,
  type SendKeys,
} from './limits.ts';

export interface VerificationDeps {
  db: Db;
  keys: Keys;
  cipher: FieldCipher;
  log: Logger;
  sms: SmsGateway;
  now: () => number;
}

export interface SendRequest {
  keys: SendKeys;
  e164: string;
  settings: Pick<VenueSettings, 'code' | 'limits'>;
  /** The message, in the guest's language, around the code. */
  text: (code: string, minutes: number) => string;
  /**
   * What the code is sent for (the caller's own record, e.g. a guest's whole screen-1
   * submission), stored encrypted in the same row as the code and handed back by a
   * correct check: a code can only ever confirm what it was sent for.
   */
  submission?: unknown;
  /**
   * The caller's own rows for this code (Tx.defer, SQL in the caller's folder), written in
   * the same transaction as the code, and only when its send is not refused by the limits.
   * The code's send may still fail after that: the caller undoes them then.
   */
  alongside?: (tx: Tx, code: { verificationId: string; expiresAt: number }) => void;
}

export type SendOutcome =
  | { ok: true; verificationId: string; expiresAt: number }
  | { ok: false; reason: 'blocked'; retryAt: number }
  | { ok: false; reason: 'too_many_starts'; retryAt: number }
  | { ok: false; reason: 'too_soon'; retryAt: number }
  | { ok: false; reason: 'sms_failed' }
  | { ok: false; reason: 'expired' | 'too_many' | 'used' };

interface VerificationRow {
  id: string;
  flow_id: string;
  venue_id: string;
  number_hash: string;
  code_hmac: string;
  code_enc: string;
  status: 'pending' | 'sent' | 'failed' | 'used';
  failures: number;
  max_attempts: number;
  sends: number;
  created_at: number;
  expires_at: number;
  last_sent_at: number | null;
  submission_enc: string | null;
}

// Venue first, then number: every sender takes them in this order, so no deadlock.
const lockSends = (tx: Tx, k: SendKeys) =>
  tx.lock(`verification-send:${k.venueId}`, `verification-number:${k.numberHash}`);

/**
 * A new code for a flow: limits, record, then the SMS. The code and its send are written
 * as sent in the one transaction before the gateway is called, and only a failed send
 * writes again (marking both failed): a code nobody has received yet is no easier to
 * guess for being checkable, and each sign-up saves a transaction. Every row goes with
 * the COMMIT (Tx.defer), and so do the message log's row and the caller's (`alongside`:
 * the guest's flow).
 * The limits are read first on a reader, so a refusal (a flood's) never takes the writer;
 * under the send's lock they are checked again by the COMMIT itself (guardSendLimits), so
 * the writer is held for that one trip (its BEGIN, under load, sent by the previous COMMIT).
 * Only when that check fails (another send took the last one in between) is the
 * transaction run again reading the limits under the lock, to say which one and until when.
 */
export async function issueCode(deps: VerificationDeps, flowId: string, req: SendRequest): Promise<SendOutcome> {
  const now = deps.now();
  const code = generateCode(req.settings.code.length);
  const id = randomUUID();
  const minutes = req.settings.code.validityMinutes;
  const expiresAt = now + minutes * 60_000;
  const sms = { to: req.e164, text: req.text(code, minutes), purpose: 'code', venueId: req.keys.venueId };
  let logged: string | undefined;
  const record = (guarded: boolean) =>
    deps.db.tx(async (tx) => {
      await lockSends(tx, req.keys);
      if (guarded) guardSendLimits(tx, req.settings.limits, req.keys, now);
      else {
        const over = await sendBlocked(tx, req.settings.limits, req.keys, now);
        if (over) return over;
      }
      tx.defer(
        `INSERT INTO verifications (id, flow_id, venue_id, number_hash, code_hmac, code_enc, status, failures, max_attempts, sends, created_at, expires_at, last_sent_at, submission_enc)
         VALUES (?, ?, ?, ?, ?, ?, 'sent', 0, ?, 1, ?, ?, ?, ?)`,
        [
          id,
          flowId,
          req.keys.venueId,
          req.keys.numberHash,
          codeHmac(deps.keys, id, code),
          deps.cipher.encrypt(code),
          req.settings.code.maxAttempts,
          now,
          expiresAt,
          now,
          req.submission === undefined ? null : deps.cipher.encrypt(JSON.stringify(req.submission)),
        ],
      );
      recordSend(tx, req.keys, id, now);
      // The message log's row goes with the same COMMIT (no write of its own before the send).
      logged = deps.sms.queueIn?.(tx, sms);
      req.alongside?.(tx, { verificationId: id, expiresAt });
      return undefined;
    });
  const blocked =
    (await sendBlocked(deps.db, req.settings.limits, req.keys, now)) ??
    (await record(true).catch((err: unknown) => {
      if (isUnmet(err)) return record(false);
      throw err;
    }));
  if (blocked)
    return {
      ok: false,
      reason: blocked.scope === 'flow-start' ? 'too_many_starts' : 'blocked',
      retryAt: blocked.retryAt,
    };
  try {
    await deps.sms.send(sms, { logged });
  } catch (err) {
    deps.log.warn(
      { to: maskNumber(req.e164), verification: id, err: (err as Error).message },
      'code SMS could not be sent',
    );
    await deps.db.tx(async (tx) => {
      failSend(tx, req.keys, id, now);
      tx.defer(`UPDATE verifications SET status = 'failed' WHERE id = ?`, [id]);
    });
    return { ok: false, reason: 'sms_failed' };
  }
  return { ok: true, verificationId: id, expiresAt };
}

/** The same code again, while it is valid; the failure count stays as it is. */
export async function resendCode(
  deps: VerificationDeps,
  verificationId: string,
  req: SendRequest,
): Promise<SendOutcome> {
  const now = deps.now();
  const reserved = await deps.db.tx(async (tx): Promise<SendOutcome | { sendId: number; row: VerificationRow }> => {
    await lockSends(tx, req.keys);
    const row = await tx.get<VerificationRow>('SELECT * FROM verifications WHERE id = ?', [verificationId]);
    const state = row && usable(row, now);
    if (!row || state !== 'ok') return { ok: false, reason: state && state !== 'ok' ? state : 'expired' };
    const last = Number(row.last_sent_at ?? row.created_at);
    const cooldown = last + req.settings.code.resendSeconds * 1000;
    if (now < cooldown) return { ok: false, reason: 'too_soon', retryAt: cooldown };
    const blocked = await sendBlocked(tx, req.settings.limits, req.keys, now);
    if (blocked) return { ok: false, reason: 'blocked', retryAt: blocked.retryAt };
    return { sendId: await reserveSend(tx, req.keys, verificationId, now), row };
  });
  if ('ok' in reserved) return reserved;
  const code = deps.cipher.decrypt(reserved.row.code_enc);
  const minutes = Math.max(1, Math.ceil((Number(reserved.row.expires_at) - now) / 60_000));
  const sent = await deliver(
    deps,
    reserved.sendId,
    verificationId,
    req.e164,
    req.keys.venueId,
    req.text(code, minutes),
  );
  if (!sent) return { ok: false, reason: 'sms_failed' };
  return { ok: true, verificationId, expiresAt: Number(reserved.row.expires_at) };
}

async function deliver(
  deps: VerificationDeps,
  sendId: number,
  verificationId: string,
  to: string,
  venueId: string,
  text: string,
): Promise<boolean> {
  try {
    await deps.sms.send({ to, text, purpose: 'code', venueId });
  } catch (err) {
    deps.log.warn(
      { to: maskNumber(to), verification: verificationId, err: (err as Error).message },
      'code SMS could not be sent',
    );
    await settleSend(deps.db, sendId, false);
    return false;
  }
  await deps.db.tx(async (tx) => {
    await settleSend(tx, sendId, true);
    tx.defer(
      `UPDATE verifications SET status = CASE WHEN status = 'pending' THEN 'sent' ELSE status END, sends = sends + 1, last_sent_at = ? WHERE id = ?`,
      [deps.now(), verificationId],
    );
  });
  return true;
}

function usable(row: VerificationRow, now: number): 'ok' | 'expired' | 'too_many' | 'used' {
  if (row.status === 'used') return 'used';
  if (row.status !== 'sent') return 'expired';
  if (Number(row.failures) >= Number(row.max_attempts)) return 'too_many';
  if (now >= Number(row.expires_at)) return 'expired';
  return 'ok';
}

export type CheckOutcome =
  | {
      ok: true;
      verificationId: string;
      numberHash: string;
      /** Encrypted: the SendRequest's submission. */ submissionEnc: string | null;
    }
  | { ok: false; reason: 'wrong'; remaining: number }
  | { ok: false; reason: 'expired' | 'too_many' | 'used' };

/**
 * Checks a guess inside the caller's transaction (the consent events and the grant are
 * written in the same one). One conditional update counts the attempt and, when the
 * guess's keyed HMAC is the stored one, marks the code used (a correct guess leaves the
 * failure count as it was): parallel guesses cannot exceed the limit nor use a code twice.
 * Comparing in SQL is not constant time, but what is compared is an HMAC under a key the
 * guesser does not hold: timing tells them nothing about the code. The answer is then
 * checked again in constant time.
 */
export async function checkCode(
  tx: Tx,
  keys: Keys,
  verificationId: string,
  guess: string,
  now: number,
): Promise<CheckOutcome> {
  // Reading the row, counting the attempt and using the code are one statement; only a refusal reads again, to say why.
  const guessHmac = codeHmac(keys, verificationId, normaliseGuess(guess));
  const row = await tx.get<VerificationRow>(
    `UPDATE verifications SET
       failures = CASE WHEN code_hmac = ? THEN failures ELSE failures + 1 END,
       status = CASE WHEN code_hmac = ? THEN 'used' ELSE status END,
       used_at = CASE WHEN code_hmac = ? THEN ? ELSE used_at END
     WHERE id = ? AND status = 'sent' AND failures < max_attempts AND expires_at > ? RETURNING *`,
    [guessHmac, guessHmac, guessHmac, now, verificationId, now],
  );
  if (!row) {
    const seen = await tx.get<VerificationRow>('SELECT * FROM verifications WHERE id = ?', [verificationId]);
    const state = seen ? usable(seen, now) : 'expired';
    return { ok: false, reason: state === 'ok' ? 'too_many' : state };
  }
  if (row.status === 'used') {
    // The database found the HMACs equal; a disagreement here would be a bug, never a pass.
    if (!codeMatches(keys, verificationId, row.code_hmac, guess))
      throw new Error(`code check of ${verificationId} disagrees`);
    return { ok: true, verificationId, numberHash: row.number_hash, submissionEnc: row.submission_enc };
  }
  const remaining = Number(row.max_attempts) - Number(row.failures);
  return remaining > 0 ? { ok: false, reason: 'wrong', remaining } : { ok: false, reason: 'too_many' };
}

/**
 * What a code was sent for: the keyed hash of its number and its submission (encrypted),
 * both fixed when the code is issued, so they can be read before the code transaction,
 * outside it, on a reader (signup/complete.ts prepares the sign-up with them); and whether
 * `guess` would use it now, as far as this read can tell (compared in constant time): a
 * right guess may then be used with the COMMIT (useCodeIn). undefined for an unknown code.
 */
export async function codeSentFor(
  db: Db,
  keys: Keys,
  verificationId: string,
  guess: string,
  now: number,
): Promise<{ numberHash: string; submissionEnc: string | null; right: boolean } | undefined> {
  const row = await db.get<VerificationRow>('SELECT * FROM verifications WHERE id = ?', [verificationId]);
  return (
    row && {
      numberHash: row.number_hash,
      submissionEnc: row.submission_enc,
      right: usable(row, now) === 'ok' && codeMatches(keys, verificationId, row.code_hmac, guess),
    }
  );
}

/**
 * A guess codeSentFor found right, used with the COMMIT (no trip of its own): the code is
 * marked used if it still is what the read saw (sent, unexpired, attempts left, this code),
 * and the transaction fails as a whole (isUnmet) if it was not. A failed guess is never
 * counted here: that is checkCode's, on the slower road the caller then takes, which also
 * says why.
 */
export function useCodeIn(tx: Tx, keys: Keys, verificationId: string, guess: string, now: number): void {
  requireOneChanged(
    tx,
    `UPDATE verifications SET status = 'used', used_at = ?
     WHERE id = ? AND code_hmac = ? AND status = 'sent' AND failures < max_attempts AND expires_at > ?`,
    [now, verificationId, codeHmac(keys, verificationId, normaliseGuess(guess)), now],
  );
}

/** A flow's current verification, for screen 2 and resume (submissionEnc: what it was sent for, encrypted). */
export async function verificationState(db: Db | Tx, verificationId: string, now: number) {
  const row = await db.get<VerificationRow>('SELECT * FROM verifications WHERE id = ?', [verificationId]);
  if (!row) return undefined;
  return {
    state: usable(row, now),
    expiresAt: Number(row.expires_at),
    lastSentAt: Number(row.last_sent_at ?? row.created_at),
    failures: Number(row.failures),
    maxAttempts: Number(row.max_attempts),
    submissionEnc: row.submission_enc,
  };
}
