// Issue 15 point 4: two Foyer processes whose clocks disagree (one set apart by a preload
// that shifts Date.now) write one ledger and share one-time codes. The chain's times
// never run backwards, and a code issued on one process is accepted on the other.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { needs, requirements } from '../support/env.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { Browser, formFields } from '../guest/helpers.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { readFileSync, existsSync } from 'node:fs';

const SHIFT = fileURLToPath(new URL('../support/shift-clock.mjs', import.meta.url));
const LOGIN_URL = 'http://127.0.0.1:9/login';

async function setup(ctx: TestContext) {
  const venue = await createVenue(ctx.db, {
    slug: 'clock',
    name: 'Clock Café',
    country: 'BG',
    settings: venueSettingsSchema.parse({
      limits: {
        perNumber10Min: 100,
        perNumberDay: 1000,
        perMacHour: 1000,
        perIpHour: 10000,
        perNasHour: 1000000,
        perCountryHour: 1000000,
        venueDaily: 10000000,
      },
    }),
  });
  await addNas(ctx.db, ctx.cipher, {
    name: 'clock-nas',
    address: '127.0.0.1',
    secret: 'clock-nas-secret',
    vendor: 'generic',
    venueId: venue.id,
  });
}

/** A Foyer process on the test's database, its wall clock `shiftMs` away from the machine's. */
async function process_(ctx: TestContext, shiftMs: number, outbox: string): Promise<FoyerProcess> {
  const p = await foyerProcess({
    DATABASE_URL: ctx.config.databaseUrl,
    DATA_DIR: ctx.dir,
    SECRET_KEY: ctx.config.SECRET_KEY!,
    SMS_OUTBOX: outbox,
    ...(shiftMs ? { NODE_OPTIONS: `--import ${SHIFT}`, FOYER_TEST_CLOCK_SHIFT_MS: String(shiftMs) } : {}),
  });
  await p.start();
  return p;
}

function codeFor(outbox: string, phone: string): string | undefined {
  if (!existsSync(outbox)) return undefined;
  const lines = readFileSync(outbox, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { to: string; text: string });
  const m = lines.reverse().find((l) => l.to === phone);
  return m ? /\b(\d{6})\b/.exec(m.text)?.[1] : undefined;
}

/**
 * One guest through screen 1 on `first` and the code on `second` (the same browser: its
 * cookies go along). Resolves with the status and location of the code's answer.
 */
async function signUp(
  first: FoyerProcess,
  second: FoyerProcess,
  outbox: string,
  n: number,
): Promise<{ status: number; location: string | null; html: string }> {
  const phone = `+3598871${String(n).padStart(5, '0')}`;
  const mac = `02:00:00:00:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
  const a = new Browser(first.url);
  const page = await a.get(
    `/p/clock?mac=${mac}&ip=10.9.${n >> 8}.${n & 255}&nasid=ap-clock&login_url=${encodeURIComponent(LOGIN_URL)}`,
  );
  assert.equal(page.status, 200, page.html.slice(0, 300));
  const started = await a.post('/p/clock/start', {
    ...formFields(page.html, '/start'),
    phone,
    consent_terms: 'yes',
    ...(n % 2 ? { consent_sms: 'yes' } : {}),
  });
  assert.equal(started.status, 303, started.html.slice(0, 300));
  let code: string | undefined;
  for (let i = 0; i < 100 && !code; i++) {
    code = codeFor(outbox, phone);
    if (!code) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(code, `a code was sent to ${phone}`);
  const b = new Browser(second.url);
  b.cookies = new Map(a.cookies);
  const form = await b.get(started.location!.replace(first.url, ''));
  assert.equal(form.status, 200, form.html.slice(0, 300));
  return b.post('/p/clock/code', { ...formFields(form.html, '/code'), code });
}

eachBackend('ledger time with two processes whose clocks disagree', (backend) => {
  let ctx: TestContext;
  const procs: FoyerProcess[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.kill('SIGKILL');
    await ctx?.cleanup();
  });

  it('never runs backwards along the chain over many concurrent consents', async function () {
    this.timeout(300_000);
    ctx = await testContext({ backend });
    await setup(ctx);
    const outbox = join(ctx.dir, 'outbox.jsonl');
    const [a, b] = [await process_(ctx, 0, outbox), await process_(ctx, -120_000, outbox)];
    procs.push(a, b);
    const GUESTS = 48;
    let next = 0;
    // Eight guests at a time, each on one process from start to end, alternating.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let n = next++; n < GUESTS; n = next++) {
          const p = n % 2 ? b : a;
          const done = await signUp(p, p, outbox, n);
          assert.ok(done.status === 303 || done.status === 200, `guest ${n}: ${done.status}`);
        }
      }),
    );
    const rows = await ctx.db.all<{ seq: number; id: string; at: number }>(
      'SELECT seq, id, at FROM consent_events ORDER BY seq',
    );
    assert.ok(rows.length >= GUESTS * 2 - 1, `${rows.length} events`);
    const back = rows.filter((r, i) => i > 0 && Number(r.at) < Number(rows[i - 1].at));
    assert.deepEqual(
      back.map((r) => r.id),
      [],
      `${back.length} of ${rows.length} events carry an earlier time than the event before them`,
    );
  });
});

// A SQLite database has one process, so one clock: codes crossing processes need PostgreSQL.
describe('one-time codes across processes whose clocks disagree [postgres]', () => {
  let ctx: TestContext;
  const procs: FoyerProcess[] = [];
  before(function () {
    needs(this, requirements.postgres);
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.kill('SIGKILL');
    await ctx?.cleanup();
  });

  it('accepts on one process a code issued on another whose clock is 35 minutes behind', async function () {
    this.timeout(120_000);
    ctx = await testContext({ backend: 'postgres' });
    await setup(ctx);
    const outbox = join(ctx.dir, 'outbox.jsonl');
    const [a, ahead] = [await process_(ctx, 0, outbox), await process_(ctx, 35 * 60_000, outbox)];
    procs.push(a, ahead);
    const done = await signUp(a, ahead, outbox, 1);
    assert.equal(
      done.status,
      303,
      `the code was refused: ${/<p class="error"[^>]*>([^<]*)/.exec(done.html)?.[1] ?? done.html.slice(0, 400)}`,
    );
    assert.doesNotMatch(done.location ?? '', /\/code/, `the code page came back: ${done.location}`);
    const grants = await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM grants');
    assert.equal(Number(grants!.n), 1);
  });
});
