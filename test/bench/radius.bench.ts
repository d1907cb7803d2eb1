// Access-Request throughput, server CPU per request and p50/p99 latency of the Foyer
// RADIUS server with an in-memory authoriser (10,000 users, PAP with
// Message-Authenticator), beside FreeRADIUS 3.2.1 with the same 10,000 users in
// `files`, same load, same run. Both servers in their own processes (Foyer's with the
// Node flags of `npm start`); the load from radclient / a Node client in other processes
// (test/support/radius-side-by-side.ts).
// The storage-backed figures (Foyer as `npm start` runs it) are in radius-storage.bench.ts.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freeradiusAvailable } from '../support/radius-freeradius.ts';
import { NODE_FLAGS } from '../support/npm-start.ts';
import type { LoadUser } from '../support/radius-load.ts';
import { startFreeRadiusContender, reportSideBySide, roundOptions, ROUNDS } from '../support/radius-bench-figures.ts';
import { sideBySide, stopChild, waitUntilAnswering, type Contender } from '../support/radius-side-by-side.ts';

const SECRET = 'bench-secret-7f3a';
// Same names and passwords as test/support/radius-bench-server.ts builds.
const USERS: LoadUser[] = Array.from({ length: 10_000 }, (_, i) => ({ name: `guest-${i}`, password: `pw-${i}-x` }));

async function startInMemory(): Promise<{ contender: Contender; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ...NODE_FLAGS,
      fileURLToPath(new URL('../support/radius-bench-server.ts', import.meta.url)),
    ],
    {
      env: { ...process.env, BENCH_SECRET: SECRET, BENCH_USERS: String(USERS.length) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(JSON.parse(String(d)).authPort));
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
  });
  await waitUntilAnswering(port, SECRET, USERS[0]);
  return {
    contender: { name: 'foyer-in-memory', port, pid: child.pid!, users: USERS, secret: SECRET },
    stop: () => stopChild(child),
  };
}

export default async function radiusBench(): Promise<void> {
  const foyer = await startInMemory();
  const fr = freeradiusAvailable() ? await startFreeRadiusContender(USERS, SECRET) : undefined;
  if (!fr) console.error('# freeradius not installed: no baseline');
  try {
    const figures = await sideBySide(fr ? [foyer.contender, fr.contender] : [foyer.contender], ROUNDS, roundOptions());
    reportSideBySide('radius in-memory', figures.get('foyer-in-memory')!, fr && figures.get('freeradius'));
  } finally {
    await foyer.stop();
    await fr?.stop();
  }
}
