// Issue 15 point 2: /healthz says whether the process can do its job, which is writing.
// A full disk (SQLite's data directory on a small tmpfs the test mounts) or a database that
// still reads but refuses writes (PostgreSQL switched to read-only, as a failed-over standby
// is) must turn it to 503 within about a second, and back to 200 when writes work again.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { makeVenue } from '../guest/helpers.ts';
import { isUnavailable } from '../../portal/store/db.ts';
import { privatePostgresFor, type PrivatePostgres } from '../support/private-postgres.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function healthWithin(url: string, status: number, ms: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const r = await fetch(`${url}/healthz`);
    await r.body?.cancel();
    if (r.status === status) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`/healthz still ${r.status} after ${ms} ms (wanted ${status})`);
    await sleep(25);
  }
}

/** Signs guests up until a write fails for want of the database; resolves when it did. */
async function writeUntilRefused(ctx: TestContext, venueId: string): Promise<number> {
  for (let i = 0; i < 5000; i++) {
    try {
      await signUp(ctx, venueId, `+35988${String(1000000 + i)}`);
    } catch (err) {
      assert.ok(isUnavailable(err), `a write refused for want of space is 'unavailable': ${(err as Error).message}`);
      return Date.now();
    }
  }
  throw new Error('5,000 sign-ups were written to a full disk');
}

describe('SQLite data directory full', function () {
  this.timeout(60_000);
  let base: string;
  let mnt: string;
  let mounted = false;
  let ctx: TestContext;
  let srv: TestServer;
  before(async function () {
    base = mkdtempSync(join(tmpdir(), 'foyer-full-'));
    mnt = join(base, 'data');
    mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m,mode=0700', 'tmpfs', mnt], { stdio: 'pipe' });
      mounted = true;
    } catch (err) {
      console.log(
        `      skipped: this test mounts a 6 MB tmpfs and may not here (${String((err as Error).message).split('\n')[0]}); run it as root`,
      );
      this.skip();
    }
    ctx = await testContext({ env: { DATA_DIR: mnt, DATABASE_URL: join(mnt, 'foyer.db') } });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv?.close();
    await ctx?.cleanup();
    if (mounted) execFileSync('umount', ['-l', mnt]);
    rmSync(base, { recursive: true, force: true });
  });

  it('answers 503 within a second of writes failing and 200 again once there is room', async () => {
    const venue = await makeVenue(ctx);
    await signUp(ctx, venue.id, '+359881111111');
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);

    const filler = join(mnt, 'filler');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      closeSync(fd);
    }
    const failedAt = await writeUntilRefused(ctx, venue.id);
    const after = await healthWithin(srv.url, 503, 3000);
    const body = await (await fetch(`${srv.url}/healthz`)).json();
    assert.match(JSON.stringify(body), /cannot write|full|space/i, JSON.stringify(body));
    assert.ok(after <= 1000, `503 came ${after} ms after the write failed (${Date.now() - failedAt} ms ago)`);

    rmSync(filler);
    const back = await healthWithin(srv.url, 200, 3000);
    await signUp(ctx, venue.id, '+359882222222');
    console.log(`      /healthz 503 ${after} ms after the first refused write, 200 ${back} ms after space was freed`);
  });
});

describe('PostgreSQL that reads but refuses writes', function () {
  this.timeout(60_000);
  let pgs: PrivatePostgres;
  let ctx: TestContext;
  let srv: TestServer;
  before(async function () {
    pgs = await privatePostgresFor(this);
    ctx = await testContext({ env: { DATABASE_URL: pgs.url } });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv?.close();
    await ctx?.cleanup();
    pgs?.destroy();
  });

  const setReadOnly = async (on: boolean) => {
    const c = new pg.Client({ connectionString: pgs.url });
    await c.connect();
    await c.query(
      on ? 'ALTER SYSTEM SET default_transaction_read_only = on' : 'ALTER SYSTEM RESET default_transaction_read_only',
    );
    await c.query('SELECT pg_reload_conf()');
    await c.end();
  };

  it('answers 503 within a second of writes being refused and 200 again after', async () => {
    const venue = await makeVenue(ctx);
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
    await setReadOnly(true);
    const failedAt = await writeUntilRefused(ctx, venue.id);
    const after = await healthWithin(srv.url, 503, 3000);
    assert.ok(after <= 1000, `503 came ${after} ms after the write failed`);
    await setReadOnly(false);
    const back = await healthWithin(srv.url, 200, 3000);
    await signUp(ctx, venue.id, '+359882222222');
    console.log(
      `      /healthz 503 ${after} ms after the first refused write (${Date.now() - failedAt} ms), 200 ${back} ms after writes were allowed`,
    );
  });
});
