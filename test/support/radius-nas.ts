// A tiny NAS for CoA tests: listens for Disconnect-/CoA-Requests, checks them the
// way a NAS must (RFC 5176 §3.5), records them, and answers ACK or NAK.
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import {
  signResponse,
  verifyAccountingMessageAuthenticator,
  verifyAccountingRequestAuthenticator,
} from '../../radius/authenticators.ts';
import {
  CODE,
  decodeAttributes,
  parsePacket,
  writePacket,
  type NamedAttribute,
  type RawPacket,
} from '../../radius/codec.ts';

export interface ReceivedCoa {
  packet: RawPacket;
  attributes: Record<string, unknown>;
  genuine: boolean;
}

export interface FakeNas {
  port: number;
  received: ReceivedCoa[];
  close(): Promise<void>;
}

/** `answer` picks the reply: 'ack', a NAK with an Error-Cause number, or 'silent'. */
export async function startFakeNas(
  secret: Buffer,
  answer: (r: ReceivedCoa) => 'ack' | { nak: number } | 'silent',
  host = '127.0.0.1',
): Promise<FakeNas> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const received: ReceivedCoa[] = [];
  socket.on('message', (msg, rinfo) => {
    const p = parsePacket(msg);
    if ('malformed' in p) return;
    const genuine =
      verifyAccountingRequestAuthenticator(p, secret) &&
      (p.maOffset < 0 || verifyAccountingMessageAuthenticator(p, secret));
    const r: ReceivedCoa = {
      packet: { ...p, bytes: Buffer.from(p.bytes) },
      attributes: decodeAttributes(p) ?? {},
      genuine,
    };
    received.push(r);
    if (!genuine) return;
    const a = answer(r);
    if (a === 'silent') return;
    const disconnect = p.code === CODE.DisconnectRequest;
    const code =
      a === 'ack' ? (disconnect ? CODE.DisconnectAck : CODE.CoaAck) : disconnect ? CODE.DisconnectNak : CODE.CoaNak;
    const attrs: NamedAttribute[] = a === 'ack' ? [] : [{ name: 'Error-Cause', value: a.nak }];
    const reply = signResponse(writePacket(code, p.identifier, p.authenticator, attrs, true), 22, secret);
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, host, () => r()));
  return {
    port: (socket.address() as AddressInfo).port,
    received,
    close: () => new Promise((r) => socket.close(() => r())),
  };
}
