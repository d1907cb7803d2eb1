// What a flood of screen 1 GETs leaves in the database: rows and bytes gained during
// BENCH_FLOOD_SECONDS (60 by default) of wrk at full speed on one screen-1 URL, as a
// captive-portal probe storm or one script on the guest network would send. Issue 18's
// goal is 0 rows; the request count shows what the database was offered.
import { existsSync, statSync } from 'node:fs';
import { serve } from '../support/http.ts';
import { report } from './report.ts';
import { WRK, wrk } from './generator.ts';
import { benchContext } from './portal.bench.ts';
import type { TestContext } from '../support/context.ts';

const SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 60);

async function rows(ctx: TestContext): Promise<number> {
  const tables = await ctx.db.all<{ name: string }>(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
  );
  let n = 0;
  for (const { name } of tables)
    n += Number((await ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM "${name}"`))!.n);
  return n;
}

const bytes = (file: string) => [file, `${file}-wal`].reduce((s, f) => s + (existsSync(f) ? statSync(f).size : 0), 0);

export default async function floodBench(): Promise<void> {
  if (!existsSync(WRK)) throw new Error(`${WRK} is missing: apt-get install wrk`);
  const ctx = await benchContext('sqlite');
  const srv = await serve(ctx);
  const file = ctx.config.databaseUrl;
  try {
    const url = `${srv.url}/p/bench?mac=02:00:00:00:00:99&ip=10.9.9.9&nasid=ap&ssid=Bench`;
    await (await fetch(url)).arrayBuffer();
    const rows0 = await rows(ctx);
    const bytes0 = bytes(file);
    const r = await wrk(url, SECONDS, { threads: 1, connections: 16, warmup: false });
    const gainedRows = (await rows(ctx)) - rows0;
    const gainedBytes = bytes(file) - bytes0;
    // Nothing written is only news if the GETs were answered: every one with its page.
    if (r.non2xx || r.socketErrors) process.exitCode = 1;
    const load = `${SECONDS} s of screen 1 GETs, wrk -t1 -c16, ${r.requests} requests, ${r.non2xx} not 200, ${r.socketErrors} socket errors, sqlite`;
    report({
      bench: `flood.rows_gained (${load})`,
      value: gainedRows,
      unit: 'rows',
      baseline: 'goal: 0 (issue 18)',
      baseline_value: 0,
      generator_cpu_pct: r.generatorCpuPct,
    });
    report({
      bench: `flood.bytes_gained (${load}, database file and WAL)`,
      value: gainedBytes,
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
