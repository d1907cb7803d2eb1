// Ending a session that is online (RFC 5176 Disconnect-Request): when its grant is
// revoked, its data cap is used up or its time is over, or an admin asks.
// The protocol half lives in radius/coa-client.ts; this decides whom to send it to.
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import type { Logger, NasClient } from '../../radius/types.ts';
import { BlockList, isIP } from 'node:net';
import { findNasById } from './nas-clients.ts';
import { claimDisconnect, recordDisconnect, type Session } from './sessions.ts';

export interface DisconnectTarget {
  nas: NasClient;
  /** Where to send it: the NAS's own address, or the NAS-IP-Address it reported when it is known by a CIDR. */
  host: string;
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

export type DisconnectReport =
  DisconnectOutcome | { result: 'unknown_nas' } | { result: 'no_address' } | { result: 'already_sent' };

/**
 * Sends one Disconnect-Request for `session` and records the answer on it.
 * `once`: skip when one was already sent (automatic enforcement); an admin may resend.
 */
export async function disconnectSession(
  deps: DisconnectDeps,
  session: Session,
  why: string,
  o: { once?: boolean } = {},
): Promise<DisconnectReport> {
  if (o.once && !(await claimDisconnect(deps.db, session.id, deps.now()))) return { result: 'already_sent' };
  const nas = await findNasById(deps.db, deps.cipher, session.nasId);
  if (!nas) {
    await recordDisconnect(deps.db, session.id, deps.now(), 'unknown_nas');
    return { result: 'unknown_nas' };
  }
  const host = hostOf(nas.address, session.nasIp);
  if (!host) {
    await recordDisconnect(deps.db, session.id, deps.now(), 'no_address');
    deps.log.warn(
      { session: session.id, nas: nas.name },
      'no address to send a disconnect-request to: the NAS has a CIDR and reported no NAS-IP-Address',
    );
    return { result: 'no_address' };
  }
  const outcome = await deps.disconnect({
    nas,
    host,
    acctSessionId: session.acctSessionId,
    userName: session.username ?? undefined,
    callingStationId: session.mac ?? undefined,
    framedIpAddress: session.framedIp ?? undefined,
  });
  const result =
    outcome.result === 'nak' && outcome.errorCause !== undefined ? `nak:${outcome.errorCause}` : outcome.result;
  await recordDisconnect(deps.db, session.id, deps.now(), result);
  deps.log.info({ session: session.id, nas: nas.name, why, result }, 'disconnect-request sent');
  return outcome;
}

/** The NAS's configured address when it is one host; else the NAS-IP-Address it reported, if inside its range. */
export function hostOf(address: string, reported: string | null): string | undefined {
  const [ip, bits] = address.split('/');
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined || Number(bits) === (family === 'ipv4' ? 32 : 128)) return ip;
  if (!reported || isIP(reported) !== isIP(ip)) return undefined;
  const range = new BlockList();
  range.addSubnet(ip, Number(bits), family);
  return range.check(reported, family) ? reported : undefined;
}
