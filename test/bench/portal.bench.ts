// Screen 1 throughput: the NAS redirect's entry and a re-render from its entry token, in
// requests per second, beside a bare Koa + @koa/router page of the same HTML served by
// the same process, same run. The load is wrk (-t2 -c64) in its own process; each line
// carries wrk's CPU share and the server process's, so a reader can see which one was
// saturated. Complete sign-ups are in signup.bench.ts, database growth in flood.bench.ts.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { testContext, type TestContext, type Backend } from '../support/context.ts';
import { serve } from '../support/http.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { report } from './report.ts';
import { WRK, wrk } from './generator.ts';

const SECONDS = Number(process.env.BENCH_PORTAL_SECONDS ?? 10);
// Rounds alternate the bare page, the entry and the re-render, and each figure is the median
// of its rounds: on this kind of virtual machine one round of the same code moves by 15 %.
const ROUNDS = Number(process.env.BENCH_PORTAL_ROUNDS ?? 3);

export const RAISED = {
  limits: {
    perNumber10Min: 100,
    perNumberDay: 1000,
    perMacHour: 1000,
    perIpHour: 10000,
    perNasHour: 1_000_000,
    perCountryHour: 1_000_000,
    venueDaily: 10_000_000,
  },
  offers: { sms: true, email: false },
  contact: 'bench@example.com',
};

export async function benchContext(backend: Backend, env: Record<string, string> = {}): Promise<TestContext> {
  const ctx = await testContext({ backend, env: { LOG_LEVEL: 'silent', ...env } });
  await createVenue(ctx.db, {
    slug: 'bench',
    name: 'Bench Café',
    country: 'BG',
    settings: venueSettingsSchema.parse(RAISED),
  });
  return ctx;
}

function bareKoa(html: string): Promise<{ url: string; server: Server }> {
  const app = new Koa();
  const router = new Router();
  router.get('/p/:slug', (k) => {
    k.type = 'html';
    k.body = html;
  });
  app.use(router.routes());
  const server = createServer(app.callback());
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () =>
      r({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

/** wrk's figure with the CPU this (server) process used meanwhile. */
async function measure(url: string) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await wrk(url, SECONDS);
  const cpu = process.cpuUsage(cpu0);
  if (r.non2xx) throw new Error(`wrk saw ${r.non2xx} error responses from ${url}`);
  // The warm-up (2 s) is in the server's CPU and wall time alike.
  const serverPct = (100 * (cpu.user + cpu.system)) / 1000 / (performance.now() - t0);
  return { ...r, serverPct };
}

export const hiddenField = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

export default async function portalBench(): Promise<void> {
  if (!existsSync(WRK))
    throw new Error(
      `${WRK} is missing: apt-get install wrk (the portal bench measures with a load generator in its own process)`,
    );
  const tool = 'wrk -t2 -c64';
  const ctx = await benchContext('sqlite');
  const srv = await serve(ctx);
  const sample = await (await fetch(`${srv.url}/p/bench?mac=02:00:00:00:00:01`)).text();
  const bare = await bareKoa(sample);
  try {
    // Screen 1 writes no flow: the re-render is the page's own language link, by its entry token.
    const entryToken = hiddenField(sample, 't');
    const rounds: Record<'bare' | 'entry' | 'rerender', Awaited<ReturnType<typeof measure>>[]> = {
      bare: [],
      entry: [],
      rerender: [],
    };
    for (let i = 0; i < ROUNDS; i++) {
      rounds.bare.push(await measure(`${bare.url}/p/bench`));
      rounds.entry.push(await measure(`${srv.url}/p/bench?mac=02:00:00:00:00:02&nasid=ap&ssid=Bench`));
      if (entryToken)
        rounds.rerender.push(await measure(`${srv.url}/p/bench/start?t=${encodeURIComponent(entryToken)}`));
    }
    const median = (rs: Awaited<ReturnType<typeof measure>>[]) =>
      [...rs].sort((x, y) => x.rps - y.rps)[Math.floor(rs.length / 2)];
    const [b, entry] = [median(rounds.bare), median(rounds.entry)];
    const baseline = `bare Koa + @koa/router page of the same HTML, same process, same run (${Math.round(b.rps)} req/s, wrk CPU ${Math.round(b.generatorCpuPct)} %), median of ${ROUNDS} alternating rounds`;
    report({
      bench: `portal.screen1_entry_rps (${tool}, sqlite)`,
      value: entry.rps,
      unit: 'req/s',
      baseline,
      baseline_value: b.rps,
      generator_cpu_pct: entry.generatorCpuPct,
      server_cpu_pct: entry.serverPct,
    });
    if (entryToken) {
      const rerender = median(rounds.rerender);
      report({
        bench: `portal.screen1_rerender_rps (${tool}, sqlite, from the entry token)`,
        value: rerender.rps,
        unit: 'req/s',
        baseline,
        baseline_value: b.rps,
        generator_cpu_pct: rerender.generatorCpuPct,
        server_cpu_pct: rerender.serverPct,
      });
    }
    console.error(
      `# screen 1 is ${Buffer.byteLength(sample)} bytes; bare Koa: server CPU ${Math.round(b.serverPct)} %`,
    );
  } finally {
    bare.server.close();
    await srv.close();
    await ctx.cleanup();
  }
}
