// What a flood of screen 1 GETs leaves in the database: rows and bytes gained during
// BENCH_FLOOD_SECONDS (60 by default) of wrk at full speed on one screen-1 URL, as a
// captive-portal probe storm or one script on the guest network would send, on SQLite
// (rows, and bytes of the file and its WAL) and on PostgreSQL when FOYER_TEST_POSTGRES_URL
// is set (rows). Issue 18's goal is 0; the request count shows what the database was
// offered, and a GET not answered 200 fails the bench (nothing written means nothing then).
import { existsSync } from 'node:fs';
import { serve } from '../support/http.ts';
import { report } from './report.ts';
import { WRK, wrk } from './generator.ts';
import { benchContext } from './portal.bench.ts';
import type { Backend } from '../support/context.ts';
import { postgresUrl } from '../support/env.ts';
import { dbSnapshot } from '../support/db-snapshot.ts';

const SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 60);

/** Rows changed, table by table (a row gained in one table and lost in another counts twice, not zero). */
const rowsChanged = (a: Record<string, number>, b: Record<string, number>) =>
  Object.keys({ ...a, ...b })
    .filter((t) => t !== 'file bytes')
    .reduce((n, t) => n + Math.abs((b[t] ?? 0) - (a[t] ?? 0)), 0);

async function flood(backend: Backend): Promise<void> {
  const ctx = await benchContext(backend);
  const srv = await serve(ctx);
  const file = backend === 'sqlite' ? ctx.config.databaseUrl : undefined;
  try {
    const url = `${srv.url}/p/bench?mac=02:00:00:00:00:99&ip=10.9.9.9&nasid=ap&ssid=Bench`;
    await (await fetch(url)).arrayBuffer();
    const before = await dbSnapshot(ctx.db, file);
    const r = await wrk(url, SECONDS, { threads: 1, connections: 16, warmup: false });
    const after = await dbSnapshot(ctx.db, file);
    if (r.non2xx || r.socketErrors) process.exitCode = 1;
    const load = `${SECONDS} s of screen 1 GETs, wrk -t1 -c16, ${r.requests} requests, ${r.non2xx} not 200, ${r.socketErrors} socket errors, ${backend}`;
    report({
      bench: `flood.rows_gained (${load})`,
      value: rowsChanged(before, after),
      unit: 'rows',
      baseline: 'goal: 0 (issue 18)',
      baseline_value: 0,
      generator_cpu_pct: r.generatorCpuPct,
    });
    if (file)
      report({
        bench: `flood.bytes_gained (${load}, database file and WAL)`,
        value: after['file bytes'] - before['file bytes'],
        unit: 'bytes',
        baseline: 'goal: 0 (issue 18)',
        baseline_value: 0,
        generator_cpu_pct: r.generatorCpuPct,
      });
  } finally {
    await srv.close();
    await ctx.cleanup();
  }
}

export default async function floodBench(): Promise<void> {
  if (!existsSync(WRK)) throw new Error(`${WRK} is missing: apt-get install wrk`);
  await flood('sqlite');
  if (postgresUrl()) await flood('postgres');
  else console.error('# FOYER_TEST_POSTGRES_URL is not set: PostgreSQL left out');
}
