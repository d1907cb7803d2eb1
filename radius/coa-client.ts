// RFC 5176 client: Disconnect-Request and CoA-Request to a NAS, with retries.
// Requests carry a Message-Authenticator computed over a zeroed authenticator
// field, then the Request Authenticator over the packet that already holds it
// (the order the `radius` package gets wrong). Replies are checked on both.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import { signAccountingRequest, verifyResponse } from './authenticators.ts';
import {
  CODE,
  HEADER_LENGTH,
  decodeAttributes,
  ipv4Bytes,
  loadDictionaries,
  parsePacket,
  writePacket,
  type NamedAttribute,
} from './codec.ts';
import type { Bandwidth, ReplyProfileId } from './types.ts';
import { vendorReplyAttributes } from './vendor-attributes.ts';

export interface CoaTarget {
  host: string;
  /** RFC 5176 §3.3: 3799 unless the NAS says otherwise. */
  port?: number;
  secret: Buffer | string;
}

/** Which session on the NAS. Send what the NAS needs to find it; Acct-Session-Id is the most precise. */
export interface SessionIdentity {
  userName?: string;
  acctSessionId?: string;
  callingStationId?: string;
  framedIpAddress?: string;
  nasIpAddress?: string;
  nasIdentifier?: string;
}

export interface CoaChanges {
  sessionTimeout?: number;
  idleTimeout?: number;
  bandwidth?: Bandwidth;
  dataLimitBytes?: number;
  /** Picks the bandwidth attributes (vendor-attributes.ts); WISPr when absent. */
  replyProfile?: ReplyProfileId;
}

export interface CoaOptions {
  /** Per attempt. */
  timeoutMs?: number;
  /** Attempts after the first. */
  retries?: number;
}

export interface CoaResult {
  result: 'ack' | 'nak' | 'timeout';
  /** Error-Cause by name (e.g. 'Session-Context-Not-Found'), or its number when unnamed. */
  errorCause?: string;
  replyAttributes: Record<string, unknown>;
}

const MA_VALUE_OFFSET = HEADER_LENGTH + 2;

function identityAttributes(id: SessionIdentity): NamedAttribute[] {
  const out: NamedAttribute[] = [];
  if (id.nasIpAddress) out.push({ name: 'NAS-IP-Address', value: ipv4Bytes(id.nasIpAddress) });
  if (id.nasIdentifier) out.push({ name: 'NAS-Identifier', value: id.nasIdentifier });
  if (id.userName) out.push({ name: 'User-Name', value: id.userName });
  if (id.acctSessionId) out.push({ name: 'Acct-Session-Id', value: id.acctSessionId });
  if (id.callingStationId) out.push({ name: 'Calling-Station-Id', value: id.callingStationId });
  if (id.framedIpAddress) out.push({ name: 'Framed-IP-Address', value: ipv4Bytes(id.framedIpAddress) });
  return out;
}

/** Builds a signed CoA/Disconnect request. Exported for tests. */
export function buildCoaPacket(code: number, identifier: number, attrs: NamedAttribute[], secret: Buffer): Buffer {
  loadDictionaries();
  const packet = writePacket(code, identifier, Buffer.alloc(16), attrs, true);
  return signAccountingRequest(packet, MA_VALUE_OFFSET, secret);
}

export function sendDisconnect(target: CoaTarget, session: SessionIdentity, o: CoaOptions = {}): Promise<CoaResult> {
  return exchange(target, CODE.DisconnectRequest, identityAttributes(session), o);
}

export function sendCoa(
  target: CoaTarget,
  session: SessionIdentity,
  changes: CoaChanges,
  o: CoaOptions = {},
): Promise<CoaResult> {
  const attrs = identityAttributes(session);
  if (changes.sessionTimeout !== undefined) attrs.push({ name: 'Session-Timeout', value: changes.sessionTimeout });
  if (changes.idleTimeout !== undefined) attrs.push({ name: 'Idle-Timeout', value: changes.idleTimeout });
  if (changes.bandwidth || changes.dataLimitBytes !== undefined) {
    attrs.push(
      ...vendorReplyAttributes(changes.replyProfile ?? 'wispr', {
        result: 'accept',
        bandwidth: changes.bandwidth,
        dataLimitBytes: changes.dataLimitBytes,
      }),
    );
  }
  return exchange(target, CODE.CoaRequest, attrs, o);
}

async function exchange(target: CoaTarget, code: number, attrs: NamedAttribute[], o: CoaOptions): Promise<CoaResult> {
  const secret = Buffer.isBuffer(target.secret) ? target.secret : Buffer.from(target.secret, 'utf8');
  const port = target.port ?? 3799;
  const timeoutMs = o.timeoutMs ?? 3000;
  const attempts = 1 + (o.retries ?? 2);
  const identifier = randomInt(256);
  // One packet for every attempt: a retransmission must be identical (RFC 5176 §2.3, RFC 5080).
  const request = buildCoaPacket(code, identifier, attrs, secret);
  const requestAuth = request.subarray(4, 20);
  const ack = code === CODE.DisconnectRequest ? CODE.DisconnectAck : CODE.CoaAck;
  const nak = code === CODE.DisconnectRequest ? CODE.DisconnectNak : CODE.CoaNak;
  const socket = dgram.createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');

  try {
    return await new Promise<CoaResult>((resolve, reject) => {
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      const attempt = () => {
        if (sent >= attempts) return resolve({ result: 'timeout', replyAttributes: {} });
        sent++;
        socket.send(request, port, target.host, (err) => {
          if (err) reject(err);
        });
        timer = setTimeout(attempt, timeoutMs);
      };
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('message', (msg) => {
        const reply = parsePacket(msg);
        if ('malformed' in reply || reply.identifier !== identifier) return;
        if (reply.code !== ack && reply.code !== nak) return;
        // Not genuine (wrong secret, forged): keep waiting, as a spoofed NAK must not end the exchange.
        if (!verifyResponse(reply, requestAuth, secret, false)) return;
        clearTimeout(timer);
        const replyAttributes = decodeAttributes(reply) ?? {};
        const cause = replyAttributes['Error-Cause'];
        resolve({
          result: reply.code === ack ? 'ack' : 'nak',
          errorCause: cause === undefined ? undefined : String(Array.isArray(cause) ? cause[0] : cause),
          replyAttributes,
        });
      });
      attempt();
    });
  } finally {
    socket.close();
  }
}
