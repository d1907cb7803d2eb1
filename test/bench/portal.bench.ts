// Guest portal throughput. Screen 1 (the NAS redirect's entry: a flow row written, the
// page rendered from its template version) in requests per second beside a bare Koa
// page served by the same process in the same run, driven by wrk when installed; and
// complete guest sign-ups per second (entry, send, verify, consent, grant) on SQLite and
// on PostgreSQL (FOYER_TEST_POSTGRES_URL), with the bench venue's limits raised.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, openSync, readSync, fstatSync, closeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { testContext, type TestContext, type Backend } from '../support/context.ts';
import { serve } from '../support/http.ts';
import { postgresUrl } from '../support/env.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { report } from './report.ts';

const WRK = '/usr/bin/wrk';
const SECONDS = Number(process.env.BENCH_PORTAL_SECONDS ?? 10);
const SIGNUP_SECONDS = Number(process.env.BENCH_SIGNUP_SECONDS ?? 10);
const SIGNUP_CONCURRENCY = Number(process.env.BENCH_SIGNUP_CONCURRENCY ?? 16);

const RAISED = {
  limits: { perNumber10Min: 100, perNumberDay: 1000, perMacHour: 1000, perIpHour: 10000, perNasHour: 1_000_000, perCountryHour: 1_000_000, venueDaily: 10_000_000 },
  offers: { sms: true, email: false },
  contact: 'bench@example.com',
};

async function benchContext(backend: Backend): Promise<TestContext> {
  const ctx = await testContext({ backend, env: { LOG_LEVEL: 'silent' } });
  await createVenue(ctx.db, { slug: 'bench', name: 'Bench Café', country: 'BG', settings: venueSettingsSchema.parse(RAISED) });
  return ctx;
}

function bareKoa(html: string): Promise<{ url: string; server: Server }> {
  const app = new Koa();
  app.use((k) => {
    k.type = 'html';
    k.body = html;
  });
  const server = createServer(app.callback());
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

/** wrk's Requests/sec, after a short warm-up run (asynchronously: the server is in this process). */
async function wrk(url: string, seconds: number): Promise<number> {
  const run = promisify(execFile);
  await run(WRK, ['-t2', '-c64', '-d2s', url]);
  const { stdout } = await run(WRK, ['-t2', '-c64', `-d${seconds}s`, url]);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  if (non2xx) throw new Error(`wrk saw ${non2xx[1]} error responses from ${url}`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)![1]);
}

/** The fallback without wrk: keep-alive fetches from 64 concurrent loops. */
async function nodeLoad(url: string, seconds: number): Promise<number> {
  const run = async (ms: number) => {
    let n = 0;
    const until = performance.now() + ms;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (performance.now() < until) {
        const r = await fetch(url);
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
        n++;
      }
    }));
    return n / (ms / 1000);
  };
  await run(2000);
  return run(seconds * 1000);
}

const load = (url: string, seconds: number) => (existsSync(WRK) ? wrk(url, seconds) : nodeLoad(url, seconds));

/** Reads codes from the console gateway's outbox as it grows, by number. */
class OutboxTail {
  private offset = 0;
  private codes = new Map<string, string>();
  constructor(private readonly file: string) {}
  code(to: string): string | undefined {
    if (!this.codes.has(to) && existsSync(this.file)) {
      const fd = openSync(this.file, 'r');
      try {
        const size = fstatSync(fd).size;
        if (size > this.offset) {
          const buf = Buffer.alloc(size - this.offset);
          readSync(fd, buf, 0, buf.length, this.offset);
          const text = buf.toString('utf8');
          const end = text.lastIndexOf('\n') + 1;
          this.offset += Buffer.byteLength(text.slice(0, end));
          for (const line of text.slice(0, end).split('\n').filter(Boolean)) {
            const m = JSON.parse(line) as { to: string; text: string };
            const c = /^(\d{6}) /.exec(m.text);
            if (c) this.codes.set(m.to, c[1]);
          }
        }
      } finally {
        closeSync(fd);
      }
    }
    return this.codes.get(to);
  }
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

async function signUp(base: string, tail: OutboxTail, i: number): Promise<void> {
  const mac = (0x100000000 + i).toString(16).slice(-8).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
  const entry = await fetch(`${base}/p/bench?mac=${mac}&ip=10.1.0.1&nasid=bench-ap&ssid=Bench`);
  const html = await entry.text();
  if (entry.status !== 200) throw new Error(`entry ${entry.status}`);
  const national = `088${String(1_000_000 + i).slice(-7)}`;
  const form = { f: hidden(html, 'f'), t: hidden(html, 't'), csrf: hidden(html, 'csrf'), v: hidden(html, 'v') };
  // The flow belongs to the browser that submitted screen 1: its cookie goes with the code.
  let cookie = '';
  const post = (path: string, fields: Record<string, string>) =>
    fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie } });
  const start = await post('/p/bench/start', { ...form, phone: national, consent_terms: 'yes', consent_sms: i % 2 ? 'yes' : '' });
  await start.arrayBuffer();
  if (start.status !== 303) throw new Error(`start ${start.status}`);
  cookie = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const e164 = `+359${national.slice(1)}`;
  let code: string | undefined;
  for (let tries = 0; !(code = tail.code(e164)); tries++) {
    if (tries > 500) throw new Error(`no code for ${e164}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const done = await post('/p/bench/code', { f: form.f, csrf: form.csrf, code });
  await done.arrayBuffer();
  if (done.status !== 303 || !done.headers.get('location')?.includes('/online')) throw new Error(`code ${done.status}`);
}

async function signUpsPerSecond(backend: Backend): Promise<{ rate: number; total: number }> {
  const ctx = await benchContext(backend);
  const srv = await serve(ctx);
  const tail = new OutboxTail(ctx.config.smsOutbox);
  try {
    let next = 0;
    const burst = async (ms: number) => {
      let n = 0;
      const until = performance.now() + ms;
      await Promise.all(Array.from({ length: SIGNUP_CONCURRENCY }, async () => {
        while (performance.now() < until) {
          await signUp(srv.url, tail, next++);
          n++;
        }
      }));
      return n;
    };
    await burst(1000);
    const started = performance.now();
    const total = await burst(SIGNUP_SECONDS * 1000);
    const rate = total / ((performance.now() - started) / 1000);
    const grants = Number((await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM grants'))!.n);
    if (grants < total) throw new Error(`only ${grants} grants for ${total} sign-ups`);
    return { rate, total };
  } finally {
    await srv.close();
    await ctx.cleanup();
  }
}

export default async function portalBench(): Promise<void> {
  const tool = existsSync(WRK) ? 'wrk -t2 -c64' : 'node fetch x64';
  const ctx = await benchContext('sqlite');
  const srv = await serve(ctx);
  const sample = await (await fetch(`${srv.url}/p/bench?mac=02:00:00:00:00:01`)).text();
  const bare = await bareKoa(sample);
  try {
    const bareRps = await load(`${bare.url}/`, SECONDS);
    const entryRps = await load(`${srv.url}/p/bench?mac=02:00:00:00:00:02&nasid=ap&ssid=Bench`, SECONDS);
    // The language link: screen 1 again from its entry token (nothing is written either way).
    const token = hidden(sample, 't');
    const rerenderRps = await load(`${srv.url}/p/bench/start?t=${token}`, SECONDS);
    report({ bench: `portal.screen1_entry_rps (${tool}, sqlite, nothing written)`, value: entryRps, unit: 'req/s', baseline: 'bare Koa page of the same HTML', baseline_value: bareRps });
    report({ bench: `portal.screen1_rerender_rps (${tool}, sqlite, from the entry token)`, value: rerenderRps, unit: 'req/s', baseline: 'bare Koa page of the same HTML', baseline_value: bareRps });
    console.error(`# screen 1 is ${Buffer.byteLength(sample)} bytes`);
  } finally {
    bare.server.close();
    await srv.close();
    await ctx.cleanup();
  }

  const sqlite = await signUpsPerSecond('sqlite');
  report({ bench: `portal.signups_per_s (sqlite, ${SIGNUP_CONCURRENCY} guests at once)`, value: sqlite.rate, unit: 'sign-ups/s', baseline: 'none (absolute)', baseline_value: 0 });
  if (postgresUrl()) {
    const pg = await signUpsPerSecond('postgres');
    report({ bench: `portal.signups_per_s (postgres, ${SIGNUP_CONCURRENCY} guests at once)`, value: pg.rate, unit: 'sign-ups/s', baseline: 'sqlite sign-ups/s, same run', baseline_value: sqlite.rate });
  } else console.error('# FOYER_TEST_POSTGRES_URL is not set: PostgreSQL sign-ups left out');
}
