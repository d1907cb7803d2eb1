// PostgreSQL stopped in the middle of a run: every operation reports 'unavailable'
// (never a crash), /healthz says so, and all recovers when the server returns.
import assert from 'node:assert/strict';
import { privatePostgres, privatePostgresAvailable, type PrivatePostgres } from '../support/private-postgres.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { StoreError } from '../../portal/store/db.ts';
import { isRequired, requirements } from '../support/env.ts';

describe('PostgreSQL stopped and started again', function () {
  this.timeout(60_000);
  let pgs: PrivatePostgres;
  let ctx: TestContext;
  let srv: TestServer;
  before(async function () {
    if (!privatePostgresAvailable()) {
      if (isRequired(requirements.postgres)) throw new Error('PostgreSQL server binaries are required (FOYER_REQUIRE_POSTGRES=1)');
      this.skip();
    }
    pgs = await privatePostgres();
    ctx = await testContext({ env: { DATABASE_URL: pgs.url } });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv?.close();
    await ctx?.cleanup();
    pgs?.destroy();
  });

  it('reports the outage and recovers without a restart', async () => {
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
    pgs.stop();
    await assert.rejects(ctx.db.get('SELECT 1'), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
    await assert.rejects(ctx.db.tx((tx) => tx.run('SELECT 1')), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
    const down = await fetch(`${srv.url}/healthz`);
    assert.equal(down.status, 503);
    assert.equal((await down.json()).database.reachable, false);
    pgs.start();
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
    assert.deepEqual(await ctx.db.get('SELECT 1 AS one'), { one: 1 });
  });
});
