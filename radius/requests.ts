// Turns verified packets into the shapes policy sees (types.ts).
import { chapMatches, decryptUserPassword, papMatches } from './authenticators.ts';
import type { RawPacket } from './codec.ts';
import type { AccessRequest, AccountingRecord, AccountingStatus, NasClient } from './types.ts';

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

function str(v: unknown): string | undefined {
  const x = first(v);
  if (x === undefined || x === null) return undefined;
  return Buffer.isBuffer(x) ? x.toString('utf8') : String(x);
}

function num(v: unknown): number | undefined {
  const x = first(v);
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

export type AccessRequestResult = AccessRequest | { unusable: 'no-password' | 'bad-password-length' };

export function toAccessRequest(nas: NasClient, p: RawPacket, attrs: Record<string, unknown>): AccessRequestResult {
  const base = {
    nas,
    userName: str(attrs['User-Name']) ?? '',
    callingStationId: str(attrs['Calling-Station-Id']),
    calledStationId: str(attrs['Called-Station-Id']),
    nasIdentifier: str(attrs['NAS-Identifier']),
    nasIpAddress: str(attrs['NAS-IP-Address']),
    framedIpAddress: str(attrs['Framed-IP-Address']),
    attributes: attrs,
  };
  if (p.userPassword) {
    const plain = decryptUserPassword(p.userPassword, p.authenticator, nas.secret);
    if (!plain) return { unusable: 'bad-password-length' };
    return { ...base, method: 'pap', checkPassword: (candidate: string) => papMatches(plain, candidate) };
  }
  if (p.chapPassword) {
    const chap = p.chapPassword;
    // RFC 2865 §2.2: without CHAP-Challenge the Request Authenticator is the challenge.
    const challenge = Buffer.from(p.chapChallenge ?? p.authenticator);
    return { ...base, method: 'chap', checkPassword: (candidate: string) => chapMatches(chap, challenge, candidate) };
  }
  return { unusable: 'no-password' };
}

const STATUS: Record<string, AccountingStatus> = {
  Start: 'start',
  'Interim-Update': 'interim',
  Stop: 'stop',
  'Accounting-On': 'accounting-on',
  'Accounting-Off': 'accounting-off',
};

function octets(low: unknown, giga: unknown): number | undefined {
  const l = num(low);
  const g = num(giga);
  if (l === undefined && g === undefined) return undefined;
  return (g ?? 0) * 2 ** 32 + (l ?? 0);
}

/** undefined: a status we do not record (Failed, tunnel records); answered without storing. */
export function toAccountingRecord(nas: NasClient, attrs: Record<string, unknown>, receivedAt: Date): AccountingRecord | undefined {
  const status = STATUS[str(attrs['Acct-Status-Type']) ?? ''];
  if (!status) return undefined;
  const ts = first(attrs['Event-Timestamp']);
  const cause = first(attrs['Acct-Terminate-Cause']);
  return {
    nas,
    status,
    sessionId: str(attrs['Acct-Session-Id']),
    userName: str(attrs['User-Name']),
    callingStationId: str(attrs['Calling-Station-Id']),
    calledStationId: str(attrs['Called-Station-Id']),
    framedIpAddress: str(attrs['Framed-IP-Address']),
    class: str(attrs['Class']),
    sessionTimeSeconds: num(attrs['Acct-Session-Time']),
    inputOctets: octets(attrs['Acct-Input-Octets'], attrs['Acct-Input-Gigawords']),
    outputOctets: octets(attrs['Acct-Output-Octets'], attrs['Acct-Output-Gigawords']),
    terminateCause: cause === undefined ? undefined : String(cause),
    eventTime: ts instanceof Date && !Number.isNaN(ts.getTime()) ? ts : receivedAt,
    attributes: attrs,
  };
}
