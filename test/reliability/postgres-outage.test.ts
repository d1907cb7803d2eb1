// The database goes away in the middle of a run (a private PostgreSQL stopped; the SQLite
// file made read-only): guests get a 503 page in their language with a retry hint, RADIUS
// stays silent so the NAS fails over rather than rejecting, /healthz says what is wrong,
// and everything recovers by itself when the database is back.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { privatePostgresFor, type PrivatePostgres } from '../support/private-postgres.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { exchange } from '../support/radius-harness.ts';
import { makeVenue } from '../guest/helpers.ts';
import { StoreError } from '../../portal/store/db.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { createGrant } from '../../portal/access/grants.ts';
import { startRadius, type RadiusService } from '../../portal/radius-main.ts';
import { radiusPackage } from '../../radius/codec.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { foyer } from '../support/cli.ts';
import {
  Cut,
  makeGuests,
  prepareVenue,
  radiusAsk,
  accessRequest,
  radiusLogin,
  signUp as guestSignUp,
  type Guest,
} from '../support/guest-signup.ts';
import { openDb } from '../../portal/store/open.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';

const NAS_SECRET = 'outage-nas-secret';

interface Rig {
  ctx: TestContext;
  srv: TestServer;
  radius: RadiusService;
  username: string;
  password: string;
}

async function rig(env: Record<string, string> = {}): Promise<Rig> {
  const ctx = await testContext({ env });
  const venue = await makeVenue(ctx);
  await addNas(ctx.db, ctx.cipher, {
    name: 'ap',
    address: '127.0.0.1',
    secret: NAS_SECRET,
    vendor: 'generic',
    venueId: venue.id,
  });
  const [ev] = await signUp(ctx, venue.id, '+359881234567');
  const grant = await ctx.db.tx((tx) =>
    createGrant(tx, ctx.cipher, { venueId: venue.id, subjectId: ev.subject_id!, session: venue.settings.session }),
  );
  const srv = await serve(ctx);
  const radius = await startRadius(ctx, { authPort: 0, acctPort: 0, host: '127.0.0.1' });
  return { ctx, srv, radius, username: grant.username, password: grant.password };
}

const login = (r: Rig) =>
  exchange(
    radiusPackage.encode({
      code: 'Access-Request',
      identifier: Math.floor(Math.random() * 256),
      secret: NAS_SECRET,
      add_message_authenticator: true,
      attributes: [
        ['User-Name', r.username],
        ['User-Password', r.password],
      ],
    }),
    r.radius.authPort,
    '127.0.0.1',
    1500,
  );

async function expectOutagePage(r: Rig) {
  const page = await fetch(`${r.srv.url}/p/cafe`, { headers: { 'accept-language': 'bg', accept: 'text/html' } });
  assert.equal(page.status, 503);
  assert.equal(page.headers.get('retry-after'), '30');
  const html = await page.text();
  assert.match(html, /временно не е достъпно/);
  assert.match(html, /опитайте отново след минута/);
}

describe('PostgreSQL stopped and started again', function () {
  this.timeout(90_000);
  let pgs: PrivatePostgres;
  let r: Rig;
  before(async function () {
    pgs = await privatePostgresFor(this);
    r = await rig({ DATABASE_URL: pgs.url });
  });
  after(async () => {
    await r?.radius.stop();
    await r?.srv.close();
    await r?.ctx.cleanup();
    pgs?.destroy();
  });

  it('answers 503 pages, stays silent on RADIUS, reports it on /healthz, and recovers without a restart', async () => {
    assert.equal((await login(r))?.[0], 2, 'Access-Accept while the database is up');
    pgs.stop();
    await assert.rejects(r.ctx.db.get('SELECT 1'), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
    await expectOutagePage(r);
    // Two seconds after the grant cache's change feed was last read, the cache is not
    // trusted and the database is asked.
    await new Promise((res) => setTimeout(res, 2500));
    assert.equal(await login(r), undefined, 'no answer, so the NAS fails over to its secondary server');
    const health = await fetch(`${r.srv.url}/healthz`);
    assert.equal(health.status, 503);
    const body = await health.json();
    assert.equal(body.database.reachable, false);
    assert.match(body.database.error, /unavailable/);

    pgs.start();
    assert.equal((await fetch(`${r.srv.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${r.srv.url}/p/cafe`)).status, 200);
    assert.equal((await login(r))?.[0], 2, 'Access-Accept again');
  });
});

describe('SQLite file made read-only and writable again', function () {
  this.timeout(30_000);
  let r: Rig;
  before(async () => (r = await rig()));
  after(async () => {
    chmodSync(r.ctx.config.databaseUrl, 0o644);
    await r.radius.stop();
    await r.srv.close();
    await r.ctx.cleanup();
  });

  it('refuses to take sign-ups it could not store, says so, and recovers', async () => {
    chmodSync(r.ctx.config.databaseUrl, 0o444);
    const health = await fetch(`${r.srv.url}/healthz`);
    assert.equal(health.status, 503);
    assert.match((await health.json()).database.error, /read-only/);
    await expectOutagePage(r);
    chmodSync(r.ctx.config.databaseUrl, 0o644);
    await new Promise((res) => setTimeout(res, 1100)); // the store looks at the file at most once a second
    assert.equal((await fetch(`${r.srv.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${r.srv.url}/p/cafe`)).status, 200);
    assert.equal((await login(r))?.[0], 2);
  });
});

// Issue 15: the faults a real outage brings, against Foyer processes started as `npm start`
// starts them, under sign-ups: the server ending backends in each state, the server
// stopped and started, and a start while it is down. No process may exit.
describe('Foyer processes on PostgreSQL: backends ended, server stopped, start while down', function () {
  this.timeout(300_000);
  const SECRET_KEY = 'outage-test-secret-key-0123456789abcdef';
  const NAS = 'outage-nas-secret';
  let pgs: PrivatePostgres;
  let dir: string;
  const procs: FoyerProcess[] = [];
  const env = () => ({
    DATABASE_URL: pgs.url,
    DATA_DIR: dir,
    SECRET_KEY,
    SMS_OUTBOX: join(dir, 'outbox.jsonl'),
    LOG_LEVEL: 'info',
  });
  before(async function () {
    pgs = await privatePostgresFor(this);
    dir = mkdtempSync(join(tmpdir(), 'foyer-outage-'));
    await prepareVenue(pgs.url, { slug: 'outage', secretKey: SECRET_KEY, nasSecret: NAS });
  });
  after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    pgs?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const exitedOnes = () => procs.filter((p) => !p.running()).map((p) => p.output.join('').slice(-2000));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Ends backends of the processes in `state` as they appear, up to `want` of them or until `ms` passed. */
  async function terminate(state: string, want: number, ms: number): Promise<number> {
    const killer = new pg.Client({ connectionString: pgs.url });
    killer.on('error', () => undefined);
    await killer.connect();
    let ended = 0;
    const until = Date.now() + ms;
    try {
      while (ended < want && Date.now() < until) {
        const r = await killer.query(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND state = $1 LIMIT 1`,
          [state],
        );
        if (r.rows[0]?.ok) (ended++, await sleep(150));
      }
    } finally {
      await killer.end();
    }
    return ended;
  }

  async function waitHealthy(p: FoyerProcess, ms: number): Promise<number> {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      const ok = await fetch(`${p.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return Date.now() - t0;
      await sleep(50);
    }
    throw new Error(`${p.url} not healthy after ${ms} ms`);
  }

  it('keeps every process up through ended backends and a stopped server, answers 503 with Retry-After meanwhile, loses nothing acknowledged, and recovers by itself', async () => {
    for (let i = 0; i < 2; i++) procs.push(await foyerProcess(env()));
    await Promise.all(procs.map((p) => p.start()));
    const outbox = env().SMS_OUTBOX;

    // Guests keep arriving, alternating between the two processes, until the faults are over:
    // six at once by default (the chaos run used 16: OUTAGE_GUESTS_AT_ONCE=16 on a bigger machine).
    const guests: Guest[] = [];
    const refusals: { status: number; retryAfter: string | null }[] = [];
    let faultsOver = false;
    let next = 0;
    const pool = makeGuests(5000, '+3598871');
    const worker = async () => {
      while (!faultsOver) {
        const g = pool[next++];
        guests.push(g);
        const p = procs[g.n % 2];
        const deadline = Date.now() + 120_000;
        while (!g.accepted && Date.now() < deadline) {
          try {
            if (!g.shown)
              await guestSignUp(p.url, 'outage', g, outbox, (status, retryAfter) =>
                refusals.push({ status, retryAfter }),
              );
            if (await radiusLogin(p.authPort, NAS, g.shown!.username, g.shown!.password, g.mac))
              g.accepted = g.shown!.username;
            else throw new Cut('Access-Request not accepted');
          } catch (err) {
            if (!(err instanceof Cut)) throw err;
            g.cuts++;
            await sleep(300 + Math.random() * 500);
          }
        }
      }
    };
    const load = Promise.all(Array.from({ length: Number(process.env.OUTAGE_GUESTS_AT_ONCE ?? 6) }, worker));

    const ended: Record<string, number> = {};
    for (const state of ['active', 'idle in transaction', 'idle']) {
      ended[state] = await terminate(state, 6, 20_000);
      await sleep(500);
      assert.deepEqual(exitedOnes(), [], `no process exits when backends that are ${state} are ended`);
    }
    assert.ok(
      ended.active > 0 && ended.idle > 0 && ended['idle in transaction'] > 0,
      `backends ended in every state: ${JSON.stringify(ended)}`,
    );

    // The server stopped under load.
    const accepted = guests.find((g) => g.accepted)!;
    pgs.stop();
    const stoppedAt = Date.now();
    const [outageGuest] = makeGuests(1, '+3598879');
    for (const p of procs) {
      // Screen 1 writes nothing and its venue and page version come from memory (issue 18),
      // so it may still be shown; the sign-up itself needs the database and is refused.
      const page = await fetch(`${p.url}/p/outage`, { headers: { accept: 'text/html' } });
      assert.ok(page.status === 200 || page.status === 503, `the guest page during the outage: ${page.status}`);
      const refused: { status: number; retryAfter: string | null }[] = [];
      await assert.rejects(
        guestSignUp(p.url, 'outage', outageGuest, outbox, (status, retryAfter) => refused.push({ status, retryAfter })),
        Cut,
      );
      assert.equal(refused[0]?.status, 503, 'a sign-up during the outage');
      assert.ok(Number(refused[0].retryAfter) > 0, 'with Retry-After');
      assert.equal((await fetch(`${p.url}/healthz`)).status, 503, '/healthz during the outage');
    }
    await sleep(Math.max(0, 2500 - (Date.now() - stoppedAt))); // past the grant cache's trust
    for (const p of procs) {
      const answer = await radiusAsk(
        p.authPort,
        accessRequest(NAS, accepted.shown!.username, accepted.shown!.password, accepted.mac),
        2500,
      );
      assert.equal(answer, undefined, 'RADIUS answers nothing while the database is down (the NAS fails over)');
    }
    await sleep(Math.max(0, 8000 - (Date.now() - stoppedAt)));
    assert.deepEqual(exitedOnes(), [], 'no process exits while the server is down');
    pgs.start();
    const upAt = Date.now();
    const healthy = await Promise.all(procs.map((p) => waitHealthy(p, 30_000)));
    const fresh = makeGuests(2, '+3598872');
    const firstSignUps = await Promise.all(
      fresh.map(async (g, i) => {
        await guestSignUp(procs[i].url, 'outage', g, outbox);
        assert.ok(
          await radiusLogin(procs[i].authPort, NAS, g.shown!.username, g.shown!.password, g.mac),
          'a fresh guest gets online after the outage',
        );
        return Date.now() - upAt;
      }),
    );
    faultsOver = true;
    await load;

    assert.deepEqual(exitedOnes(), [], 'no process exited');
    assert.ok(
      refusals.some((r) => r.status === 503),
      'guests were answered 503 during the outage',
    );
    for (const r of refusals) {
      assert.equal(r.status, 503, `a guest cut by the outage is answered 503, not ${r.status}`);
      assert.ok(Number(r.retryAfter) > 0, 'every 503 carries Retry-After');
    }
    assert.deepEqual(
      guests.filter((g) => !g.accepted).map((g) => g.n),
      [],
      'every guest got online in the end',
    );

    const db = await openDb(pgs.url);
    try {
      const grants = new Map(
        (await db.all<{ username: string; subject_id: string }>('SELECT username, subject_id FROM grants')).map((r) => [
          r.username,
          r.subject_id,
        ]),
      );
      for (const g of guests) {
        assert.ok(grants.has(g.shown!.username), `guest ${g.n} was shown the hand-back, so its grant is stored`);
        const events = await db.all<{ purpose: string }>('SELECT purpose FROM consent_events WHERE subject_id = ?', [
          grants.get(g.shown!.username)!,
        ]);
        assert.ok(
          events.some((e) => e.purpose === 'terms'),
          `guest ${g.n}'s grant rests on ledger events`,
        );
      }
      const v = await verifyLedger(db, deriveKeys(SECRET_KEY));
      assert.equal(v.ok, true, JSON.stringify(v));
    } finally {
      await db.close();
    }
    console.log(
      `      ${guests.length} guests (${guests.filter((g) => g.cuts).length} cut and started again), backends ended ${JSON.stringify(ended)}, ${refusals.length} answers 503; after the server came back: /healthz 200 in ${healthy.join(' and ')} ms, first new guest online in ${firstSignUps.join(' and ')} ms`,
    );
  });

  it('the CLI does not wait for a server that is down: it says so and exits', async () => {
    pgs.stop();
    try {
      const t0 = Date.now();
      const r = await foyer(['venue', 'list'], { DATABASE_URL: pgs.url, DATA_DIR: dir, SECRET_KEY });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /database unavailable/);
      assert.ok(Date.now() - t0 < 30_000, `exited after ${Date.now() - t0} ms`);
    } finally {
      pgs.start();
    }
  });

  it('started while the server is down, waits with a log line saying so, and serves once it is up', async () => {
    pgs.stop();
    const p = await foyerProcess(env());
    procs.push(p);
    const starting = p.start();
    starting.catch(() => undefined);
    await sleep(6000);
    assert.ok(p.running(), `the process waits instead of exiting:\n${p.output.join('')}`);
    assert.match(p.output.join(''), /waiting for the database/, 'a log line says what it waits for');
    pgs.start();
    const upAt = Date.now();
    await starting;
    const ready = Date.now() - upAt;
    const g = makeGuests(1, '+3598873')[0];
    await guestSignUp(p.url, 'outage', g, env().SMS_OUTBOX);
    assert.ok(await radiusLogin(p.authPort, NAS, g.shown!.username, g.shown!.password, g.mac));
    console.log(`      serving ${ready} ms after the server came up`);
  });
});
