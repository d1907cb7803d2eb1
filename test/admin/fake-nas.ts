// A NAS's CoA port on loopback (RFC 5176): answers each Disconnect-Request with an ACK,
// or a NAK with Error-Cause 503 (Session-Context-Not-Found) for unknown sessions.
import dgram from 'node:dgram';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface FakeNas {
  port: number;
  received: number;
  close(): Promise<void>;
}

export async function fakeNas(secret: string, known: (acctSessionId: string) => boolean): Promise<FakeNas> {
  const sock = dgram.createSocket('udp4');
  const state = { received: 0 };
  sock.on('message', (msg, rinfo) => {
    if (msg[0] !== 40) return; // Disconnect-Request
    state.received++;
    let acct = '';
    for (let i = 20; i + 2 <= msg.length; i += msg[i + 1]) {
      if (msg[i + 1] < 2) break;
      if (msg[i] === 44) acct = msg.subarray(i + 2, i + msg[i + 1]).toString();
    }
    const ack = known(acct);
    const attrs = ack ? Buffer.alloc(0) : Buffer.from([101, 6, 0, 0, 0x01, 0xf7]);
    const reply = Buffer.alloc(20 + attrs.length);
    reply[0] = ack ? 41 : 42;
    reply[1] = msg[1];
    reply.writeUInt16BE(reply.length, 2);
    attrs.copy(reply, 20);
    const auth = createHash('md5')
      .update(reply.subarray(0, 4))
      .update(msg.subarray(4, 20))
      .update(attrs)
      .update(secret)
      .digest();
    auth.copy(reply, 4);
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return {
    port: (sock.address() as AddressInfo).port,
    get received() {
      return state.received;
    },
    close: () => new Promise((r) => sock.close(() => r())),
  };
}
