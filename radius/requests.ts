// Turns verified packets into the shapes policy sees (types.ts).
import { chapMatches, decryptUserPassword, papMatches, userPasswordLengthValid } from './authenticators.ts';
import { decodeAttributes, type RawPacket } from './codec.ts';
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

/** A text attribute's value as the package decodes it (UTF-8), straight from the packet. */
function rawText(b: Buffer, off: number): string | undefined {
  return off < 0 ? undefined : b.toString('utf8', off + 2, off + b[off + 1]);
}

/** An ipaddr attribute's value as the package decodes it (its octets joined by dots). */
function rawIp(b: Buffer, off: number): string | undefined {
  if (off < 0) return undefined;
  let s = '';
  for (let i = off + 2; i < off + b[off + 1]; i++) s += i === off + 2 ? String(b[i]) : `.${b[i]}`;
  return s;
}

/**
 * The Access-Request policy sees. The fields policy reads come straight from the bytes;
 * `attributes` (everything, through the package's dictionaries) is decoded on first use
 * only. Pass `attrs` when the caller had to decode already (a packet with short values).
 */
class Request implements AccessRequest {
  // What policy reads of every request is read now; the rest (a NAS sends them with MAC
  // authentication too) only if asked for, each a string or two fewer a request (issue 18).
  readonly userName: string;
  readonly callingStationId?: string;
  private decoded?: Record<string, unknown>;
  private plain?: Buffer;

  constructor(
    readonly nas: NasClient,
    readonly method: 'pap' | 'chap',
    private readonly p: RawPacket,
    // CHAP's challenge; PAP's padded plaintext is decrypted when policy first checks it
    // (MAC authentication never does: the NAS vouches for the device, issue 18).
    private readonly challenge: Buffer | undefined,
    attrs: Record<string, unknown> | undefined,
  ) {
    if (attrs) {
      this.decoded = attrs;
      this.userName = str(attrs['User-Name']) ?? '';
      this.callingStationId = str(attrs['Calling-Station-Id']);
    } else {
      this.userName = rawText(p.bytes, p.at.userName) ?? '';
      this.callingStationId = rawText(p.bytes, p.at.callingStationId);
    }
  }

  get calledStationId(): string | undefined {
    return this.decoded ? str(this.decoded['Called-Station-Id']) : rawText(this.p.bytes, this.p.at.calledStationId);
  }

  get nasIdentifier(): string | undefined {
    return this.decoded ? str(this.decoded['NAS-Identifier']) : rawText(this.p.bytes, this.p.at.nasIdentifier);
  }

  get nasIpAddress(): string | undefined {
    return this.decoded ? str(this.decoded['NAS-IP-Address']) : rawIp(this.p.bytes, this.p.at.nasIpAddress);
  }

  get framedIpAddress(): string | undefined {
    return this.decoded ? str(this.decoded['Framed-IP-Address']) : rawIp(this.p.bytes, this.p.at.framedIpAddress);
  }

  checkPassword(candidate: string): boolean {
    if (this.method === 'pap')
      return papMatches(
        // The length was checked in toAccessRequest(), so this decrypts.
        (this.plain ??= decryptUserPassword(this.p.userPassword!, this.p.authenticator, this.nas.secret)!),
        candidate,
      );
    return chapMatches(this.p.chapPassword!, this.challenge!, candidate);
  }

  get attributes(): Record<string, unknown> {
    // A packet without short values always decodes (see RawPacket.shortValue).
    return (this.decoded ??= decodeAttributes(this.p) ?? {});
  }
}

/**
 * `attrs`: the packet's decoded attributes, or undefined when it has no short value
 * (then nothing is decoded unless policy asks for `attributes`). The packet's bytes
 * must stay untouched while the request is in use (a datagram buffer is ours until then).
 */
export function toAccessRequest(
  nas: NasClient,
  p: RawPacket,
  attrs: Record<string, unknown> | undefined,
): AccessRequestResult {
  if (p.userPassword) {
    if (!userPasswordLengthValid(p.userPassword.length)) return { unusable: 'bad-password-length' };
    return new Request(nas, 'pap', p, undefined, attrs);
  }
  if (p.chapPassword) {
    // RFC 2865 §2.2: without CHAP-Challenge the Request Authenticator is the challenge.
    return new Request(nas, 'chap', p, p.chapChallenge ?? p.authenticator, attrs);
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
export function toAccountingRecord(
  nas: NasClient,
  attrs: Record<string, unknown>,
  receivedAt: Date,
): AccountingRecord | undefined {
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
