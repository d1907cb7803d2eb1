// A NAS's RFC 5176 side on loopback, written from the RFC: it checks each request's
// authenticator with the shared secret, records the session attributes, and answers
// Disconnect-ACK, Disconnect-NAK with an Error-Cause, or nothing.
import dgram from 'node:dgram';
import { createHash } from 'node:crypto';

export interface Received {
  code: number;
  genuine: boolean;
  attrs: Map<number, Buffer[]>;
}

export interface NasResponder {
  host: string;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();

export async function nasResponder(o: {
  host?: string;
  secret: string;
  answer: 'ack' | { nak: number } | 'silent';
}): Promise<NasResponder> {
  const secret = Buffer.from(o.secret);
  const socket = dgram.createSocket('udp4');
  const received: Received[] = [];
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 20) return;
    const attrs = new Map<number, Buffer[]>();
    for (let i = 20; i + 2 <= msg.length;) {
      const len = msg[i + 1];
      if (len < 2) break;
      attrs.set(msg[i], [...(attrs.get(msg[i]) ?? []), msg.subarray(i + 2, i + len)]);
      i += len;
    }
    // RFC 5176 §2.3: Request Authenticator = MD5(Code+Identifier+Length+16 zero octets+Attributes+Secret).
    const genuine = md5(msg.subarray(0, 4), Buffer.alloc(16), msg.subarray(20), secret).equals(msg.subarray(4, 20));
    received.push({ code: msg[0], genuine, attrs });
    const answer = o.answer;
    if (answer === 'silent' || !genuine) return;
    const ack = answer === 'ack';
    const body =
      answer === 'ack' ? Buffer.alloc(0) : Buffer.from([101, 6, 0, 0, (answer.nak >> 8) & 0xff, answer.nak & 0xff]);
    const reply = Buffer.concat([Buffer.from([ack ? 41 : 42, msg[1], 0, 20 + body.length]), Buffer.alloc(16), body]);
    md5(reply.subarray(0, 4), msg.subarray(4, 20), body, secret).copy(reply, 4);
    socket.send(reply, rinfo.port, rinfo.address);
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((r) => socket.bind(0, host, () => r()));
  return { host, port: socket.address().port, received, close: () => new Promise((r) => socket.close(() => r())) };
}

export const text = (r: Received, type: number) => r.attrs.get(type)?.[0]?.toString('utf8');
