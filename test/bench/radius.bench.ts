// Access-Request throughput and latency of the Foyer RADIUS server (in-memory
// authorizer, 10,000 users, PAP with Message-Authenticator, 48 in flight), and the
// same load against FreeRADIUS 3.2.1 with the same users in `files`, when installed.
// The storage-backed figure belongs to whoever wires portal/access: reuse runLoad().
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freeradiusAvailable, startFreeRadius } from '../support/radius-freeradius.ts';
import { runLoad, type LoadResult, type LoadUser } from '../support/radius-load.ts';
import { report } from './report.ts';

const SECRET = 'bench-secret-7f3a';
// Same names and passwords as test/support/radius-bench-server.ts builds.
const USERS: LoadUser[] = Array.from({ length: 10_000 }, (_, i) => ({ name: `guest-${i}`, password: `pw-${i}-x` }));
const IN_FLIGHT = 48;
const REQUESTS = Number(process.env.BENCH_RADIUS_REQUESTS ?? 300_000);
const SECONDS = Number(process.env.BENCH_RADIUS_SECONDS ?? 15);

async function measure(port: number): Promise<LoadResult> {
  // Warm-up: JIT, thread pools, caches.
  await runLoad({ host: '127.0.0.1', port, secret: SECRET, users: USERS, inFlight: IN_FLIGHT, maxRequests: 20_000, maxSeconds: 2 });
  const r = await runLoad({ host: '127.0.0.1', port, secret: SECRET, users: USERS, inFlight: IN_FLIGHT, maxRequests: REQUESTS, maxSeconds: SECONDS });
  if (r.rejected || r.lost > r.sent * 0.001) throw new Error(`bench run unhealthy: ${JSON.stringify(r)}`);
  return r;
}

async function waitUntilAnswering(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = await runLoad({ host: '127.0.0.1', port, secret: SECRET, users: USERS.slice(0, 1), inFlight: 1, maxRequests: 1, maxSeconds: 1, lostAfterMs: 200 });
    if (r.accepted === 1) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`nothing answers on 127.0.0.1:${port}`);
}

async function foyer(): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/radius-bench-server.ts', import.meta.url))], {
    env: { ...process.env, BENCH_SECRET: SECRET, BENCH_USERS: String(USERS.length) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const authPort = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d) => resolve(JSON.parse(String(d)).authPort));
      child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
    });
    await waitUntilAnswering(authPort);
    return await measure(authPort);
  } finally {
    child.kill('SIGTERM');
  }
}

async function freeradius(): Promise<LoadResult | undefined> {
  if (!freeradiusAvailable()) {
    console.error('# freeradius not installed: no baseline');
    return undefined;
  }
  const base = 20000 + Math.floor(Math.random() * 20000);
  const fr = startFreeRadius({ authPort: base, acctPort: base + 1, innerPort: base + 2, secret: SECRET, users: USERS });
  try {
    await waitUntilAnswering(base);
    return await measure(base);
  } finally {
    await fr.stop();
  }
}

export default async function radiusBench(): Promise<void> {
  const ours = await foyer();
  console.error(`# foyer: ${JSON.stringify(ours)}`);
  const theirs = await freeradius();
  if (theirs) console.error(`# freeradius: ${JSON.stringify(theirs)}`);
  const baseline = theirs ? 'freeradius-3.2.1 files, same load' : 'none (freeradius not installed)';
  report({ bench: 'radius.access_request.throughput', value: ours.perSecond, unit: 'req/s', baseline, baseline_value: theirs?.perSecond ?? 0 });
  report({ bench: 'radius.access_request.p50', value: ours.p50Ms, unit: 'ms', baseline, baseline_value: theirs?.p50Ms ?? 0 });
  report({ bench: 'radius.access_request.p99', value: ours.p99Ms, unit: 'ms', baseline, baseline_value: theirs?.p99Ms ?? 0 });
}
