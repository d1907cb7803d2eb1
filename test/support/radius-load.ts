// Load for RADIUS servers (ours or FreeRADIUS): PAP Access-Requests with a
// Message-Authenticator, and a Calling-Station-Id where the user names one (MAC
// authentication as a NAS sends it: the device's MAC as name, password and station). Two generators, both run outside the server's process and
// outside the benchmark's own event loop, so the server under test never shares
// an event loop with its load:
//  - runRadclient(): FreeRADIUS's radclient over a file of P distinct requests
//    repeated with -c, P... in flight (BENCHMARKING.md); throughput only.
//  - runLoadInChild(): the Node client below in a child process, cycling over every
//    user with a fixed number in flight; throughput and p50/p99 latency.
// Every request gets a fresh identifier/authenticator, so no duplicate cache is hit.
import dgram from 'node:dgram';
import { spawn } from 'node:child_process';
import { cpuPct, runMeasured } from '../bench/generator.ts';
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encryptUserPassword, signAccessRequest } from '../../radius/authenticators.ts';
import { CODE, writePacket } from '../../radius/codec.ts';

export interface LoadUser {
  name: string;
  password: string;
  /** Sent as Calling-Station-Id (MAC authentication: the device asking). */
  callingStationId?: string;
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
  /**
   * Requests answered before the clock starts, outside every figure. Without them the
   * latencies include the client's own start (its code not yet compiled, its first
   * collections), which stalls all requests in flight alike, whichever server is measured.
   */
  warmupRequests?: number;
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
  /** Set when run in a child (runLoadInChild): the client's own CPU share of one core, in percent. */
  cpuPct?: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The Node client, in this process. Benchmarks use runLoadInChild(); tests and readiness probes may call it directly. */
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
  const stations = o.users.map((u) =>
    u.callingStationId ? [{ type: 31, value: Buffer.from(u.callingStationId) }] : [],
  );
  const build = (seq: number, id: number): Buffer => {
    const user = o.users[seq % o.users.length];
    const auth = randomFillSync(Buffer.allocUnsafe(16));
    const attrs = [
      userNames[seq % userNames.length],
      { type: 2, value: encryptUserPassword(user.password, auth, secret) },
      ...stations[seq % stations.length],
    ];
    return signAccessRequest(writePacket(CODE.AccessRequest, id, auth, attrs, true), 22, secret);
  };
  // Built before the clock starts, identifier = sequence mod 256: while running, the client
  // allocates next to nothing, so its own garbage collections do not show up as the
  // server's latency. A packet is built afresh only when its identifier is still in flight.
  const warmup = o.warmupRequests ?? 0;
  const total = warmup + o.maxRequests;
  const prebuilt = total <= 250_000 ? Array.from({ length: total }, (_, i) => build(i, i & 0xff)) : [];
  const sentAt = new Float64Array(256); // by identifier; 0 = free
  let inFlight = 0;
  const latencies = new Float64Array(o.maxRequests);
  let answered = 0;
  let sent = 0;
  let accepted = 0;
  let rejected = 0;
  let lost = 0;
  let warming = warmup;
  let started = performance.now();
  const deadline = started + o.maxSeconds * 1000;

  return new Promise<LoadResult>((resolve) => {
    const finish = () => {
      clearInterval(sweeper);
      socket.close();
      const seconds = (performance.now() - started) / 1000;
      const l = latencies.subarray(0, answered).sort();
      resolve({
        sent,
        accepted,
        rejected,
        lost,
        seconds,
        perSecond: (accepted + rejected) / seconds,
        p50Ms: percentile(l, 0.5),
        p99Ms: percentile(l, 0.99),
      });
    };
    const sendOne = (): boolean => {
      if (sent >= total || performance.now() > deadline) return false;
      let id = sent & 0xff;
      let packet = prebuilt[sent];
      if (!packet || sentAt[id] !== 0) {
        while (sentAt[id] !== 0) id = (id + 1) & 0xff;
        packet = build(sent, id);
      }
      sentAt[id] = performance.now();
      inFlight++;
      sent++;
      socket.send(packet, o.port, o.host);
      return true;
    };
    const refill = () => {
      while (inFlight < o.inFlight && sendOne());
      if (inFlight === 0) finish();
    };
    socket.on('message', (m) => {
      const t0 = sentAt[m[1]];
      if (t0 === 0) return;
      sentAt[m[1]] = 0;
      inFlight--;
      if (warming > 0) {
        if (--warming === 0) started = performance.now();
        return refill();
      }
      if (m[0] === CODE.AccessAccept) accepted++;
      else rejected++;
      latencies[answered++] = performance.now() - t0;
      refill();
    });
    const sweeper = setInterval(() => {
      const now = performance.now();
      for (let id = 0; id < 256; id++) {
        if (sentAt[id] !== 0 && now - sentAt[id] > lostAfter) {
          sentAt[id] = 0;
          inFlight--;
          lost++;
        }
      }
      refill();
    }, 100);
    refill();
  });
}

const SELF = fileURLToPath(import.meta.url);

/** The Node client in a process of its own; the options travel through a temp file (10,000 users do not fit argv comfortably). */
export async function runLoadInChild(o: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-load-'));
  const file = join(dir, 'options.json');
  writeFileSync(file, JSON.stringify(o));
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', SELF, file], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`load client exited ${code}`))));
    });
    return JSON.parse(out) as LoadResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RadclientResult {
  accepted: number;
  rejected: number;
  lost: number;
  seconds: number;
  perSecond: number;
  /** radclient's CPU share of one core, in percent. */
  cpuPct: number;
}

/**
 * radclient with a file of `distinct` requests (users taken in order, cycling) sent
 * `repeat` times each, `inFlight` at a time; the wall time of the whole run is the measure.
 * `Message-Authenticator = 0x00` makes radclient add a real one.
 */
export async function runRadclient(o: {
  port: number;
  secret: string;
  users: LoadUser[];
  distinct: number;
  repeat: number;
  inFlight: number;
}): Promise<RadclientResult> {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-radclient-'));
  const file = join(dir, 'requests');
  const quote = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
  let text = '';
  for (let i = 0; i < o.distinct; i++) {
    const u = o.users[i % o.users.length];
    const station = u.callingStationId ? `Calling-Station-Id = ${quote(u.callingStationId)}\n` : '';
    text += `User-Name = ${quote(u.name)}\nUser-Password = ${quote(u.password)}\n${station}Message-Authenticator = 0x00\n\n`;
  }
  writeFileSync(file, text);
  try {
    // radclient exits 1 when anything was rejected or lost; the summary says which.
    const run = await runMeasured('radclient', [
      '-q',
      '-s',
      '-t',
      '2',
      '-r',
      '1',
      '-c',
      String(o.repeat),
      '-p',
      String(o.inFlight),
      '-f',
      file,
      `127.0.0.1:${o.port}`,
      'auth',
      o.secret,
    ]);
    const out = run.stdout;
    const seconds = run.wallSeconds;
    const count = (label: string) => Number(new RegExp(`${label}\\s*:\\s*(\\d+)`).exec(out)?.[1] ?? NaN);
    const accepted = count('Accepted');
    const rejected = count('Rejected');
    const lost = count('Lost');
    if (!Number.isFinite(accepted)) throw new Error(`radclient gave no summary: ${out.slice(-500)}`);
    return { accepted, rejected, lost, seconds, perSecond: (accepted + rejected) / seconds, cpuPct: cpuPct(run) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { readFileSync } = await import('node:fs');
  const opts = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadOptions;
  const cpu0 = process.cpuUsage();
  const result = await runLoad(opts);
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    JSON.stringify({ ...result, cpuPct: (100 * (cpu.user + cpu.system)) / 1e6 / Math.max(0.001, result.seconds) }),
  );
}
