// The grant cache across processes: a change written through another connection (as
// another Foyer, the CLI or a job would write it, with nothing said to this process)
// reaches the cache through the database's grant change feed.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { authorize } from '../../portal/access/authorize.ts';
import { createAccessPolicy } from '../../portal/access/policy.ts';
import { VenueSettingsCache } from '../../portal/access/venue-cache.ts';
import { GrantStateCache } from '../../portal/access/grant-cache.ts';
import { followGrantChanges, type GrantChangeFeed } from '../../portal/access/grant-changes.ts';
import { purgeGrantChangesJob } from '../../portal/jobs/purge-grant-changes.ts';
import { openDb } from '../../portal/store/open.ts';
import type { Db } from '../../portal/store/db.ts';
import type { Venue } from '../../portal/venues/venues.ts';
import type { NasRecord } from '../../portal/access/nas-clients.ts';
import { guestGrant, papRequest, venueWithNas } from './fixtures.ts';

eachBackend('access: grant change feed', (backend) => {
  let ctx: TestContext;
  let other: Db;
  let venue: Venue;
  let nas: NasRecord;
  let clock: number;
  let grantReads: number;
  let failReads: boolean;
  let feed: GrantChangeFeed | undefined;
  let cache: GrantStateCache | undefined;

  beforeEach(async () => {
    ctx = await testContext({ backend });
    other = await openDb(ctx.config.DATABASE_URL!);
    ({ venue, nas } = await venueWithNas(ctx, 'cafe', { devicesPerGuest: 1 }));
    clock = Date.now();
    grantReads = 0;
    failReads = false;
  });
  afterEach(async () => {
    feed?.close();
    cache?.close();
    await other.close();
    await ctx.cleanup();
  });

  /** The auth path on a cache that follows the feed (read when the test says so), over a database that counts grant reads and can lose the feed. */
  async function following(): Promise<{ authorize: (u: string, p: string, mac?: string) => Promise<string> }> {
    const db = Object.create(ctx.db) as Db;
    db.get = (sql, params) => {
      if (/FROM grants g/.test(sql)) grantReads++;
      return ctx.db.get(sql, params);
    };
    db.all = (sql, params) =>
      failReads && /grant_changes/.test(sql) ? Promise.reject(new Error('connection lost')) : ctx.db.all(sql, params);
    const now = () => clock;
    cache = new GrantStateCache(600_000, 1000, now);
    feed = followGrantChanges({ db, cache, log: ctx.log, now, intervalMs: 60_000 });
    await feed!.poll();
    const deps = {
      db,
      cipher: ctx.cipher,
      log: ctx.log,
      now,
      venues: new VenueSettingsCache(db, 600_000, now),
      grants: cache,
    };
    return {
      authorize: async (u, pw, mac) =>
        (await authorize(deps, papRequest(nas, u, pw, mac ? { callingStationId: mac } : {}))).result,
    };
  }

  it('records every change to a grant or its sessions, whoever makes it', async () => {
    const g = await guestGrant(ctx, venue);
    const before = Number(
      (await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM grant_changes WHERE grant_id = ?', [g.id]))!.n,
    );
    await other.run('UPDATE grants SET revoked_at = ? WHERE id = ?', [clock, g.id]);
    await other.run(
      `INSERT INTO sessions (id, nas_id, acct_session_id, grant_id, mac, started_at, updated_at, interim_interval, stale_at) VALUES ('s1', ?, 'a1', ?, 'aa:bb:cc:00:00:02', ?, ?, 300, ?)`,
      [nas.id, g.id, clock, clock, clock + 900_000],
    );
    await other.run('UPDATE sessions SET input_octets = 5 WHERE id = ?', ['s1']);
    await other.run('DELETE FROM sessions WHERE id = ?', ['s1']);
    const after = Number(
      (await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM grant_changes WHERE grant_id = ?', [g.id]))!.n,
    );
    assert.equal(after - before, 4);
  });

  it('drops a grant revoked by another process at the next read of the feed, and only that grant', async () => {
    const f = await following();
    const g = await guestGrant(ctx, venue);
    const h = await guestGrant(ctx, venue);
    assert.equal(await f.authorize(g.username, g.password), 'accept');
    assert.equal(await f.authorize(h.username, h.password), 'accept');
    assert.equal(await f.authorize(g.username, g.password), 'accept');
    assert.equal(grantReads, 2, 'the third answer came from the cache');
    await other.run('UPDATE grants SET revoked_at = ? WHERE id = ?', [clock, g.id]);
    await feed!.poll();
    assert.equal(await f.authorize(g.username, g.password), 'reject');
    assert.equal(await f.authorize(h.username, h.password), 'accept');
    assert.equal(grantReads, 3, 'the grant nobody changed is still answered from the cache');
  });

  it('drops what it kept for a device by MAC when another process gives the device a new grant at the venue', async () => {
    const f = await following();
    const mac = 'aa:bb:cc:00:00:03';
    const old = await guestGrant(ctx, venue, { mac });
    const elsewhere = await guestGrant(ctx, (await venueWithNas(ctx, 'bar', {}, '127.0.0.2')).venue, { mac });
    await other.run('UPDATE grants SET revoked_at = ? WHERE id = ?', [clock, old.id]);
    await feed!.poll();
    assert.equal(await f.authorize(mac, mac, mac), 'reject', 'the latest grant here is revoked');
    assert.equal(await f.authorize(mac, mac, mac), 'reject');
    assert.equal(grantReads, 1, 'the second refusal came from the cache');
    const changes = async () =>
      (await ctx.db.all<{ grant_id: string }>('SELECT grant_id FROM grant_changes ORDER BY seq')).map(
        (r) => r.grant_id,
      );
    const before = await changes();
    // Written through another connection, as the guest pages of another Foyer would.
    await guestGrant({ ...ctx, db: other }, venue, { mac });
    const recorded = (await changes()).slice(before.length);
    assert.deepEqual(recorded, [old.id], "the device's earlier grant at this venue, not its grant at another venue");
    assert.ok(!recorded.includes(elsewhere.id));
    await feed!.poll();
    assert.equal(await f.authorize(mac, mac, mac), 'accept');
  });

  it('follows the feed on its own in the policy RADIUS uses', async () => {
    const policy = createAccessPolicy({
      db: ctx.db,
      cipher: ctx.cipher,
      log: ctx.log,
      grantCacheMs: 600_000,
      grantChangesMs: 100,
    });
    try {
      const g = await guestGrant(ctx, venue);
      const ask = async () => (await policy.authorize(papRequest(nas, g.username, g.password))).result;
      assert.equal(await ask(), 'accept');
      await other.run('UPDATE grants SET revoked_at = ? WHERE id = ?', [Date.now(), g.id]);
      const until = Date.now() + 2000;
      while ((await ask()) === 'accept' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await ask(), 'reject', 'the revocation reached the cache within two seconds');
    } finally {
      policy.close();
    }
  });

  it('sees another device come online through another process (device limit)', async () => {
    const f = await following();
    const g = await guestGrant(ctx, venue);
    assert.equal(await f.authorize(g.username, g.password, 'aa:bb:cc:00:00:01'), 'accept');
    await other.run(
      `INSERT INTO sessions (id, nas_id, acct_session_id, grant_id, mac, started_at, updated_at, interim_interval, stale_at) VALUES ('s2', ?, 'a2', ?, 'aa:bb:cc:00:00:02', ?, ?, 300, ?)`,
      [nas.id, g.id, clock, clock, clock + 5_000],
    );
    await feed!.poll();
    assert.equal(await f.authorize(g.username, g.password, 'aa:bb:cc:00:00:01'), 'reject');
    // The other device's session goes stale in 5 s: the cached count is not trusted past that.
    clock += 5_001;
    assert.equal(await f.authorize(g.username, g.password, 'aa:bb:cc:00:00:01'), 'accept');
  });

  it('stops answering from the cache when the feed cannot be read, and empties it after a long gap', async () => {
    const f = await following();
    const g = await guestGrant(ctx, venue);
    assert.equal(await f.authorize(g.username, g.password), 'accept');
    failReads = true;
    await feed!.poll();
    await f.authorize(g.username, g.password);
    assert.equal(grantReads, 1, 'still trusted shortly after the last good read');
    clock += 3 * 60_000;
    await f.authorize(g.username, g.password);
    assert.equal(grantReads, 2, 'not trusted once reads have failed for two intervals');
    // Revoked while the feed was down, for longer than the window it reads again.
    await other.run('UPDATE grants SET revoked_at = ? WHERE id = ?', [clock, g.id]);
    await ctx.db.run('DELETE FROM grant_changes');
    failReads = false;
    await feed!.poll();
    assert.equal(await f.authorize(g.username, g.password), 'reject');
  });

  it('is purged of rows no reader needs any more', async () => {
    const g = await guestGrant(ctx, venue);
    await other.run('UPDATE grants SET revoked_at = ? WHERE id = ?', [clock, g.id]);
    await ctx.db.run('UPDATE grant_changes SET at = at - ?', [3_600_000]);
    const r = await purgeGrantChangesJob.run({ db: ctx.db, log: ctx.log, now: () => Date.now() });
    assert.ok(Number(r.deleted) >= 1);
    assert.equal(Number((await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM grant_changes'))!.n), 0);
  });
});
