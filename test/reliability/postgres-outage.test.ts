// The database goes away in the middle of a run (a private PostgreSQL stopped; the SQLite
// file made read-only): guests get a 503 page in their language with a retry hint, RADIUS
// stays silent so the NAS fails over rather than rejecting, /healthz says what is wrong,
// and everything recovers by itself when the database is back.
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { privatePostgres, privatePostgresAvailable, type PrivatePostgres } from '../support/private-postgres.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { exchange } from '../support/radius-harness.ts';
import { makeVenue } from '../guest/helpers.ts';
import { StoreError } from '../../portal/store/db.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { createGrant } from '../../portal/access/grants.ts';
import { startRadius, type RadiusService } from '../../portal/access/radius-service.ts';
import { radiusPackage } from '../../radius/codec.ts';
import { isRequired, requirements } from '../support/env.ts';

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
  await addNas(ctx.db, ctx.cipher, { name: 'ap', address: '127.0.0.1', secret: NAS_SECRET, vendor: 'generic', venueId: venue.id });
  const [ev] = await signUp(ctx, venue.id, '+359881234567');
  const grant = await ctx.db.tx((tx) => createGrant(tx, ctx.cipher, { venueId: venue.id, subjectId: ev.subject_id!, session: venue.settings.session }));
  const srv = await serve(ctx);
  const radius = await startRadius(ctx, { authPort: 0, acctPort: 0, host: '127.0.0.1' });
  return { ctx, srv, radius, username: grant.username, password: grant.password };
}

const login = (r: Rig) =>
  exchange(
    radiusPackage.encode({ code: 'Access-Request', identifier: Math.floor(Math.random() * 256), secret: NAS_SECRET, add_message_authenticator: true, attributes: [['User-Name', r.username], ['User-Password', r.password]] }),
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
    if (!privatePostgresAvailable()) {
      if (isRequired(requirements.postgres)) throw new Error('PostgreSQL server binaries are required (FOYER_REQUIRE_POSTGRES=1)');
      this.skip();
    }
    pgs = await privatePostgres();
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
