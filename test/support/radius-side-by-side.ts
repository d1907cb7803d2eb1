// Side-by-side RADIUS measurements: every server under test runs in its own process,
// the load comes from yet other processes (radclient, or the Node client in a child),
// and the contenders are measured in alternating rounds so that the other work on a
// shared 2-core machine falls on all of them alike. The medians of the rounds are kept.
//
// Per round and contender:
//  - throughput: radclient, a file of DISTINCT requests repeated, 32 in flight, wall
//    time of the whole run (the Node client at the same load when radclient is missing);
//  - server CPU per request: user+system time of the server process (all its threads,
//    SQLite's worker threads included; PostgreSQL's own backends are not) over that run;
//  - p50/p99 latency: the Node client in a child process at lower loads (one request at
//    a time, as a quiet NAS sends them, and a few in flight), timed once it has answered
//    a few thousand requests of its own.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import dgram from 'node:dgram';
import { runLoad, runLoadInChild, runRadclient, type LoadUser } from './radius-load.ts';
import { START_ARGS } from './npm-start.ts';

export interface Contender {
  name: string;
  port: number;
  pid: number;
  users: LoadUser[];
  secret: string;
}

export interface Latency {
  inFlight: number;
  p50Ms: number;
  p99Ms: number;
}

export interface Figures {
  perSecond: number;
  cpuUsPerRequest: number;
  /** One per load of RoundOptions.latencyInFlight, in its order. */
  latency: Latency[];
  lost: number;
  rejected: number;
  /** The throughput run's load generator: processes and the highest CPU share of one core among them. */
  generatorProcesses: number;
  generatorCpuPct: number;
}

export interface RoundOptions {
  /** Requests in the throughput run. */
  requests: number;
  /** Distinct requests in radclient's file (it slows down with the file's size). */
  distinct: number;
  inFlight: number;
  /** Requests of each latency run, the loads (requests in flight) it is run at, and the untimed requests before each. */
  latencyRequests: number;
  latencyInFlight: number[];
  latencyWarmup: number;
  /** radclient processes sharing the throughput run (one alone is radclient's ceiling, not the server's). */
  radclients: number;
}

export const radclientAvailable = (): boolean => {
  try {
    execFileSync('sh', ['-c', 'command -v radclient'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

export async function freePort(kind: 'tcp' | 'udp'): Promise<number> {
  if (kind === 'udp') {
    return new Promise((resolve) => {
      const s = dgram.createSocket('udp4').bind(0, '127.0.0.1', () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
  }
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Until one Access-Request is accepted (NAS table loaded, dictionaries read, JIT warm enough to answer). */
export async function waitUntilAnswering(port: number, secret: string, user: LoadUser, seconds = 30): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const r = await runLoad({
      host: '127.0.0.1',
      port,
      secret,
      users: [user],
      inFlight: 1,
      maxRequests: 1,
      maxSeconds: 1,
      lostAfterMs: 300,
    });
    if (r.accepted === 1) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`no Access-Accept from 127.0.0.1:${port} for ${user.name} in ${seconds} s`);
}

export async function warmUp(c: Contender): Promise<void> {
  await runLoadInChild({
    host: '127.0.0.1',
    port: c.port,
    secret: c.secret,
    users: c.users,
    inFlight: 32,
    maxRequests: 30_000,
    maxSeconds: 3,
  });
}

export async function measureRound(c: Contender, o: RoundOptions): Promise<Figures> {
  const cpu0 = cpuSeconds(c.pid);
  let perSecond: number;
  let lost: number;
  let rejected: number;
  let answered: number;
  let generatorCpuPct: number;
  let generatorProcesses = 1;
  if (radclientAvailable()) {
    // Several radclients, the in-flight total shared among them, started together; the
    // figure is everything answered over the longest one's wall time.
    generatorProcesses = o.radclients;
    const rs = await Promise.all(
      Array.from({ length: o.radclients }, () =>
        runRadclient({
          port: c.port,
          secret: c.secret,
          users: c.users,
          distinct: o.distinct,
          repeat: Math.max(1, Math.round(o.requests / o.distinct / o.radclients)),
          inFlight: Math.max(1, Math.round(o.inFlight / o.radclients)),
        }),
      ),
    );
    answered = rs.reduce((n, r) => n + r.accepted + r.rejected, 0);
    perSecond = answered / Math.max(...rs.map((r) => r.seconds));
    lost = rs.reduce((n, r) => n + r.lost, 0);
    rejected = rs.reduce((n, r) => n + r.rejected, 0);
    generatorCpuPct = Math.max(...rs.map((r) => r.cpuPct));
  } else {
    const r = await runLoadInChild({
      host: '127.0.0.1',
      port: c.port,
      secret: c.secret,
      users: c.users,
      inFlight: o.inFlight,
      maxRequests: o.requests,
      maxSeconds: 120,
    });
    ({ perSecond, lost, rejected } = r);
    answered = r.accepted + r.rejected;
    generatorCpuPct = r.cpuPct ?? NaN;
  }
  const cpu = cpuSeconds(c.pid) - cpu0;
  const latency: Latency[] = [];
  for (const inFlight of o.latencyInFlight) {
    const lat = await runLoadInChild({
      host: '127.0.0.1',
      port: c.port,
      secret: c.secret,
      users: c.users,
      inFlight,
      maxRequests: o.latencyRequests,
      warmupRequests: o.latencyWarmup,
      maxSeconds: 60,
    });
    latency.push({ inFlight, p50Ms: lat.p50Ms, p99Ms: lat.p99Ms });
    lost += lat.lost;
    rejected += lat.rejected;
  }
  return {
    perSecond,
    cpuUsPerRequest: (cpu / Math.max(1, answered)) * 1e6,
    latency,
    lost,
    rejected,
    generatorProcesses,
    generatorCpuPct,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Alternating rounds (A, B, C, A, B, C, …); per contender the median of each figure. */
export async function sideBySide(
  contenders: Contender[],
  rounds: number,
  o: RoundOptions,
): Promise<Map<string, Figures>> {
  for (const c of contenders) await warmUp(c);
  const all = new Map<string, Figures[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of contenders) {
      const f = await measureRound(c, o);
      const lat = f.latency
        .map((l) => `${l.inFlight} in flight p50 ${l.p50Ms.toFixed(3)} p99 ${l.p99Ms.toFixed(3)} ms`)
        .join(', ');
      console.error(
        `# round ${r + 1} ${c.name}: ${Math.round(f.perSecond)}/s (load generator ${Math.round(f.generatorCpuPct)} % CPU), ${f.cpuUsPerRequest.toFixed(1)} µs CPU/req, ${lat}, lost ${f.lost}, rejected ${f.rejected}`,
      );
      all.get(c.name)!.push(f);
    }
  }
  const out = new Map<string, Figures>();
  for (const [name, fs] of all) {
    out.set(name, {
      perSecond: median(fs.map((f) => f.perSecond)),
      cpuUsPerRequest: median(fs.map((f) => f.cpuUsPerRequest)),
      latency: fs[0].latency.map(({ inFlight }, i) => ({
        inFlight,
        p50Ms: median(fs.map((f) => f.latency[i].p50Ms)),
        p99Ms: median(fs.map((f) => f.latency[i].p99Ms)),
      })),
      lost: fs.reduce((n, f) => n + f.lost, 0),
      rejected: fs.reduce((n, f) => n + f.rejected, 0),
      generatorProcesses: fs[0].generatorProcesses,
      generatorCpuPct: Math.max(...fs.map((f) => f.generatorCpuPct)),
    });
  }
  return out;
}

export interface Server {
  pid: number;
  port: number;
  /** Its HTTP side (the portal), for setting up through the real flow. */
  url: string;
  stop(): Promise<void>;
}

/** Stops a child we started, by its own pid. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Foyer as `npm start` runs it (the same Node flags, test/support/npm-start.ts) on a database prepared
 * beforehand; `env` adds to or overrides the defaults here. Extra node flags (for
 * instance --cpu-prof) come from `nodeArgs`.
 */
export async function startFoyer(env: Record<string, string>, nodeArgs: string[] = []): Promise<Server> {
  const httpPort = await freePort('tcp');
  const port = await freePort('udp');
  const acctPort = await freePort('udp');
  const child = spawn(process.execPath, [...nodeArgs, ...START_ARGS], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: {
      ...process.env,
      PORT: String(httpPort),
      HOST: '127.0.0.1',
      RADIUS_AUTH_PORT: String(port),
      RADIUS_ACCT_PORT: String(acctPort),
      RADIUS_HOST: '127.0.0.1',
      DEMO_SEED: 'false',
      FOYER_QUIET: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Drained, as a log shipper would; kept short for the error message.
  child.stdout!.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-4000)));
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Foyer exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await stopChild(child);
      throw new Error(`Foyer did not start in 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { pid: child.pid!, port, url: `http://127.0.0.1:${httpPort}`, stop: () => stopChild(child) };
}
