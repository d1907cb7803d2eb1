// Replies we send: Message-Authenticator first in every Access-* reply (BlastRADIUS),
// Proxy-State echoed last and in order, then both authenticators computed on the bytes.
import { signResponse } from './authenticators.ts';
import { CODE, HEADER_LENGTH, splitText, writePacket, type NamedAttribute, type RawPacket } from './codec.ts';
import type { AccessDecision, NasClient } from './types.ts';
import { vendorReplyAttributes } from './vendor-attributes.ts';

const MA_VALUE_OFFSET = HEADER_LENGTH + 2;

export function accessReply(request: RawPacket, code: number, attrs: NamedAttribute[], secret: Buffer): Buffer {
  const reply = writePacket(code, request.identifier, request.authenticator, attrs, true, request.proxyStates);
  return signResponse(reply, MA_VALUE_OFFSET, secret);
}

export function acceptAttributes(nas: NasClient, d: Extract<AccessDecision, { result: 'accept' }>): NamedAttribute[] {
  const out: NamedAttribute[] = [];
  if (d.sessionTimeout !== undefined && d.sessionTimeout > 0)
    out.push({ name: 'Session-Timeout', value: d.sessionTimeout });
  if (d.idleTimeout !== undefined && d.idleTimeout > 0) out.push({ name: 'Idle-Timeout', value: d.idleTimeout });
  if (d.interimInterval !== undefined && d.interimInterval > 0)
    out.push({ name: 'Acct-Interim-Interval', value: d.interimInterval });
  if (d.class) out.push({ name: 'Class', value: d.class });
  if (d.replyMessage) out.push(...splitText('Reply-Message', d.replyMessage));
  out.push(...vendorReplyAttributes(nas.replyProfile, d));
  return out;
}

export function decisionReply(
  request: RawPacket,
  nas: NasClient,
  d: Exclude<AccessDecision, { result: 'drop' }>,
): Buffer {
  if (d.result === 'accept') return accessReply(request, CODE.AccessAccept, acceptAttributes(nas, d), nas.secret);
  return accessReply(
    request,
    CODE.AccessReject,
    d.replyMessage ? splitText('Reply-Message', d.replyMessage) : [],
    nas.secret,
  );
}

/** Accounting-Response: no attributes of ours, Proxy-State echoed, Response Authenticator only. */
export function accountingResponse(request: RawPacket, secret: Buffer): Buffer {
  const reply = writePacket(
    CODE.AccountingResponse,
    request.identifier,
    request.authenticator,
    [],
    false,
    request.proxyStates,
  );
  return signResponse(reply, -1, secret);
}
