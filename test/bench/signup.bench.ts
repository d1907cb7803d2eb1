// Complete guest sign-ups per second over HTTP: entry from a NAS redirect, the phone
// form, the code read from the console gateway's outbox, the code form, up to the
// "online" page, each guest with its own cookies (test/bench/guest-client.ts drives the
// pages as a browser would). 16 and 64 guests at once; SQLite with one Foyer process,
// PostgreSQL (FOYER_TEST_POSTGRES_URL) with one and with two on the same database.
// Foyer runs as `npm start` runs it, in its own process(es); the guests run in two child
// processes of their own, whose CPU share is printed with each figure. The baseline is
// issue 18's goal (there is no other sign-up server to compare with).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../portal/store/open.ts';
import type { FoyerProcess } from '../support/foyer-process.ts';
import { freshPostgresUrl } from '../support/context.ts';
import { postgresUrl } from '../support/env.ts';
import { cpuSeconds } from '../support/radius-side-by-side.ts';
import { report } from './report.ts';
import { runGuestClient } from './guest-client.ts';
import { prepareSignupDatabase, startSignupFoyer } from './signup-foyer.ts';

const SECONDS = Number(process.env.BENCH_SIGNUP_SECONDS ?? 10);
// A fresh process climbs for several seconds (the JIT, SQLite's page cache): in one run of
// stop 25 the writer's transactions a second went 117, 230, 257, 273 in the first 8 s, then
// moved between 240 and 350. 3 s of warm-up measured mostly the climb.
const WARMUP_SECONDS = Number(process.env.BENCH_SIGNUP_WARMUP ?? 8);
const GUESTS = (process.env.BENCH_SIGNUP_GUESTS ?? '16,64').split(',').map(Number);
const CLIENTS = 2;
const SECRET_KEY = 'bench-secret-key-0123456789abcdef0123456789';
const GOAL = { sqlite: 200, postgres: 500 } as const;

/**
 * CPU seconds of every process named postgres on this machine (the server when it runs
 * here), with what the postmaster's exited backends spent (cutime, cstime), so that a
 * sign-up's cost to the database can be told beside Foyer's; undefined where /proc cannot
 * tell. A backend that ends inside the window is counted from its start.
 */
function postgresCpuSeconds(): number | undefined {
  let total = 0;
  let seen = false;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      seen = true;
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return seen ? total / 100 : undefined;
}

async function run(
  backend: 'sqlite' | 'postgres',
  processes: number,
  guests: number,
  firstGuest: number,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-signup-bench-'));
  const pg = backend === 'postgres' ? await freshPostgresUrl() : undefined;
  const dbUrl = pg?.url ?? join(dir, 'foyer.db');
  const setup = { dbUrl, dir, outbox: join(dir, 'outbox.jsonl'), secretKey: SECRET_KEY, slug: 'bench' };
  await prepareSignupDatabase(setup);
  const servers: FoyerProcess[] = [];
  try {
    for (let i = 0; i < processes; i++) servers.push(await startSignupFoyer(setup));
    const pids = servers.map((s) => s.pid()!);
    const cpu0 = pids.map(cpuSeconds);
    let cpuAtWarmup = cpu0;
    let dbCpuAtWarmup: number | undefined;
    setTimeout(() => {
      cpuAtWarmup = pids.map(cpuSeconds);
      dbCpuAtWarmup = backend === 'postgres' ? postgresCpuSeconds() : undefined;
    }, WARMUP_SECONDS * 1000);
    const per = Math.ceil(guests / CLIENTS);
    const results = await Promise.all(
      Array.from({ length: CLIENTS }, (_, c) =>
        runGuestClient({
          bases: servers.map((s) => s.url),
          slug: 'bench',
          outbox: setup.outbox,
          concurrency: per,
          firstGuest: firstGuest + c * 100_000,
          warmupMs: WARMUP_SECONDS * 1000,
          measureMs: SECONDS * 1000,
        }),
      ),
    );
    const serverCpu = pids.map(cpuSeconds).reduce((s, v, i) => s + v - cpuAtWarmup[i], 0);
    const dbCpuNow = dbCpuAtWarmup === undefined ? undefined : postgresCpuSeconds();
    const completed = results.reduce((s, r) => s + r.completed, 0);
    const errors = results.reduce((s, r) => s + r.errors, 0);
    if (errors)
      console.error(
        `# ${errors} sign-ups failed; last: ${results
          .map((r) => r.lastError)
          .filter(Boolean)
          .at(-1)}`,
      );
    // Every completed sign-up must have left a grant: count them in the database.
    const check = await openDb(dbUrl);
    const grants = Number((await check.get<{ n: number }>('SELECT COUNT(*) AS n FROM grants'))!.n);
    await check.close();
    if (grants < completed) throw new Error(`${completed} sign-ups reported, ${grants} grants stored`);
    const rate = completed / SECONDS;
    const goal = backend === 'sqlite' ? GOAL.sqlite : GOAL.postgres;
    report({
      bench: `signup.per_second (${backend}, ${processes} Foyer process${processes > 1 ? 'es' : ''}, ${guests} guests at once, ${CLIENTS} client processes, ${errors} failed)`,
      value: rate,
      unit: 'sign-ups/s',
      baseline: `goal of issue 18 (${goal}/s ${backend === 'sqlite' ? 'on SQLite' : 'on PostgreSQL with two processes'})`,
      baseline_value: goal,
      generator_cpu_pct: Math.max(...results.map((r) => (100 * r.cpuSeconds) / r.wallSeconds)),
      generator_cpu_us_per_op: (1e6 * results.reduce((s, r) => s + r.cpuSeconds, 0)) / Math.max(1, completed),
      server_cpu_pct: (100 * serverCpu) / SECONDS,
      // Foyer's CPU per sign-up (all its processes), and PostgreSQL's where it runs here:
      // steadier than the rate itself on a machine whose two cores the client shares.
      server_cpu_ms_per_op: (1000 * serverCpu) / Math.max(1, completed),
      ...(dbCpuNow !== undefined && dbCpuAtWarmup !== undefined
        ? { database_cpu_ms_per_op: (1000 * (dbCpuNow - dbCpuAtWarmup)) / Math.max(1, completed) }
        : {}),
    });
  } finally {
    for (const s of servers) await s.kill('SIGTERM');
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function signupBench(): Promise<void> {
  let first = 0;
  const setups: Array<['sqlite' | 'postgres', number]> = [['sqlite', 1]];
  if (postgresUrl()) setups.push(['postgres', 1], ['postgres', 2]);
  else console.error('# FOYER_TEST_POSTGRES_URL is not set: PostgreSQL left out');
  for (const [backend, processes] of setups) {
    for (const guests of GUESTS) await run(backend, processes, guests, (first += 200_000));
  }
}
