// Ending a session that is online (RFC 5176 Disconnect-Request): when its grant is
// revoked, its data cap is used up or its time is over, or an admin asks.
// The protocol half lives in radius/coa-client.ts; this decides whom to send it to.
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import type { Logger, NasClient } from '../../radius/types.ts';
import { findNasById } from './nas-clients.ts';
import { claimDisconnect, recordDisconnect, type Session } from './sessions.ts';

export interface DisconnectTarget {
  nas: NasClient;
  acctSessionId: string;
  userName?: string;
  callingStationId?: string;
  framedIpAddress?: string;
}

export interface DisconnectOutcome {
  result: 'ack' | 'nak' | 'timeout';
  errorCause?: number | string;
}

export type Disconnector = (target: DisconnectTarget) => Promise<DisconnectOutcome>;

export interface DisconnectDeps {
  db: Queryable;
  cipher: FieldCipher;
  log: Logger;
  now: () => number;
  disconnect: Disconnector;
}

export type DisconnectReport = DisconnectOutcome | { result: 'unknown_nas' } | { result: 'already_sent' };

/**
 * Sends one Disconnect-Request for `session` and records the answer on it.
 * `once`: skip when one was already sent (automatic enforcement); an admin may resend.
 */
export async function disconnectSession(deps: DisconnectDeps, session: Session, why: string, o: { once?: boolean } = {}): Promise<DisconnectReport> {
  if (o.once && !(await claimDisconnect(deps.db, session.id, deps.now()))) return { result: 'already_sent' };
  const nas = await findNasById(deps.db, deps.cipher, session.nasId);
  if (!nas) {
    await recordDisconnect(deps.db, session.id, deps.now(), 'unknown_nas');
    return { result: 'unknown_nas' };
  }
  const outcome = await deps.disconnect({
    nas,
    acctSessionId: session.acctSessionId,
    userName: session.username ?? undefined,
    callingStationId: session.mac ?? undefined,
    framedIpAddress: session.framedIp ?? undefined,
  });
  const result = outcome.result === 'nak' && outcome.errorCause !== undefined ? `nak:${outcome.errorCause}` : outcome.result;
  await recordDisconnect(deps.db, session.id, deps.now(), result);
  deps.log.info({ session: session.id, nas: nas.name, why, result }, 'disconnect-request sent');
  return outcome;
}
