// A UDP load client for RADIUS servers (ours or FreeRADIUS): PAP Access-Requests
// with a Message-Authenticator, a fixed number in flight, bounded by count and time.
// Every request gets a fresh authenticator, so no server's duplicate cache is hit.
import dgram from 'node:dgram';
import { randomFillSync } from 'node:crypto';
import { encryptUserPassword, signAccessRequest } from '../../radius/authenticators.ts';
import { CODE, writePacket } from '../../radius/codec.ts';

export interface LoadUser {
  name: string;
  password: string;
}

export interface LoadOptions {
  host: string;
  port: number;
  secret: string;
  users: LoadUser[];
  /** Requests outstanding at any time (32–64 keeps kernel buffers from dropping). */
  inFlight: number;
  maxRequests: number;
  maxSeconds: number;
  /** A request unanswered this long is counted lost and its slot reused. */
  lostAfterMs?: number;
}

export interface LoadResult {
  sent: number;
  accepted: number;
  rejected: number;
  lost: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const secret = Buffer.from(o.secret);
  const lostAfter = o.lostAfterMs ?? 1000;
  const socket = dgram.createSocket(o.host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((r) => socket.bind(0, r));
  try {
    socket.setRecvBufferSize(4 * 1024 * 1024);
  } catch {
    // keep the default
  }
  const userNames = o.users.map((u) => ({ type: 1, value: Buffer.from(u.name) }));
  const pending = new Map<number, number>(); // identifier -> send time
  const latencies = new Float64Array(o.maxRequests);
  let answered = 0;
  let sent = 0;
  let accepted = 0;
  let rejected = 0;
  let lost = 0;
  let nextId = 0;
  const started = performance.now();
  const deadline = started + o.maxSeconds * 1000;

  return new Promise<LoadResult>((resolve) => {
    const finish = () => {
      clearInterval(sweeper);
      socket.close();
      const seconds = (performance.now() - started) / 1000;
      const l = latencies.subarray(0, answered).sort();
      resolve({ sent, accepted, rejected, lost, seconds, perSecond: (accepted + rejected) / seconds, p50Ms: percentile(l, 0.5), p99Ms: percentile(l, 0.99) });
    };
    const sendOne = (): boolean => {
      if (sent >= o.maxRequests || performance.now() > deadline) return false;
      // Identifiers cycle over 256; skip those still outstanding.
      let id = nextId;
      while (pending.has(id)) id = (id + 1) & 0xff;
      nextId = (id + 1) & 0xff;
      const user = o.users[sent % o.users.length];
      const auth = randomFillSync(Buffer.allocUnsafe(16));
      const attrs = [userNames[sent % userNames.length], { type: 2, value: encryptUserPassword(user.password, auth, secret) }];
      const packet = signAccessRequest(writePacket(CODE.AccessRequest, id, auth, attrs, true), 22, secret);
      pending.set(id, performance.now());
      sent++;
      socket.send(packet, o.port, o.host);
      return true;
    };
    const refill = () => {
      while (pending.size < o.inFlight && sendOne());
      if (pending.size === 0) finish();
    };
    socket.on('message', (m) => {
      const t0 = pending.get(m[1]);
      if (t0 === undefined) return;
      pending.delete(m[1]);
      if (m[0] === CODE.AccessAccept) accepted++;
      else rejected++;
      latencies[answered++] = performance.now() - t0;
      refill();
    });
    const sweeper = setInterval(() => {
      const now = performance.now();
      for (const [id, t] of pending) {
        if (now - t > lostAfter) {
          pending.delete(id);
          lost++;
        }
      }
      refill();
    }, 100);
    refill();
  });
}
