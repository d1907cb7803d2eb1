// Access's caches are objects of one context, kept right by access's own write functions
// (portal/access/access-caches.ts): no caller has to remember to invalidate, a change
// written in a transaction is applied again at its commit, and two contexts in one
// process never share what they keep.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { createAccessPolicy, type AccessPolicy } from '../../portal/access/policy.ts';
import { blockDevice } from '../../portal/access/device-blocks.ts';
import { markRevoked } from '../../portal/access/grants.ts';
import { addNas, listVenueNas } from '../../portal/access/nas-clients.ts';
import { buildContext } from '../../portal/context.ts';
import { guestGrant, papRequest, venueWithNas, type NasRecord } from './fixtures.ts';
import type { Venue } from '../../portal/venues/venues.ts';

eachBackend('access: caches are the context’s, kept right by the writers', (backend) => {
  let ctx: TestContext;
  let policy: AccessPolicy;
  let venue: Venue;
  let nas: NasRecord;

  beforeEach(async () => {
    ctx = await testContext({ backend });
    ({ venue, nas } = await venueWithNas(ctx, 'cafe'));
    policy = createAccessPolicy({ db: ctx.db, cipher: ctx.cipher, log: ctx.log, grantCacheMs: 600_000 });
  });
  afterEach(async () => {
    policy.close();
    await ctx.cleanup();
  });

  it('a block written in a transaction reaches the cache at the commit, even when RADIUS read the grant again in between', async () => {
    const mac = 'aa:bb:cc:00:00:0b';
    const g = await guestGrant(ctx, venue, { mac });
    const ask = async () =>
      (await policy.authorize(papRequest(nas, g.username, g.password, { callingStationId: mac }))).result;
    assert.equal(await ask(), 'accept');
    await ctx.db.tx(async (tx) => {
      await blockDevice(tx, { venueId: venue.id, mac, hours: 1 }, Date.now());
      // Before the commit RADIUS still sees the old rows, and keeps what it read.
      assert.equal(await ask(), 'accept');
    });
    assert.equal(await ask(), 'reject', 'the block refuses the device at once after the commit');
  });

  it('a revocation in a transaction needs no call of the caller to reach the cache', async () => {
    const g = await guestGrant(ctx, venue);
    const ask = async () => (await policy.authorize(papRequest(nas, g.username, g.password))).result;
    assert.equal(await ask(), 'accept');
    await ctx.db.tx((tx) => markRevoked(tx, g.id, Date.now()));
    assert.equal(await ask(), 'reject');
  });

  it('keeps nothing in common with another context in the same process', async () => {
    const other = await testContext({ backend });
    try {
      assert.notEqual(other.access, ctx.access);
      const otherPolicy = createAccessPolicy({
        db: other.db,
        cipher: other.cipher,
        log: other.log,
        grantCacheMs: 600_000,
      });
      try {
        assert.equal(ctx.access.grants.size, 1, "this context's caches hold this context's policy only");
        assert.equal(other.access.grants.size, 1);
      } finally {
        otherPolicy.close();
      }
      assert.equal(other.access.grants.size, 0, 'a closed policy leaves its context');
    } finally {
      await other.cleanup();
    }
  });

  /** Counts the queries on nas_clients made through the context's database. */
  function countingNasReads(): () => number {
    let n = 0;
    const all = ctx.db.all.bind(ctx.db);
    ctx.db.all = (sql, params) => {
      if (/FROM nas_clients/.test(sql)) n++;
      return all(sql, params);
    };
    return () => n;
  }

  it("serves a venue's NAS list from memory until this process changes a NAS (issue 18: screen 1 reads it each time)", async () => {
    const reads = countingNasReads();
    assert.deepEqual(
      (await listVenueNas(ctx.db, ctx.cipher, venue.id)).map((n) => n.name),
      ['cafe-ap'],
    );
    assert.deepEqual(
      (await listVenueNas(ctx.db, ctx.cipher, venue.id)).map((n) => n.name),
      ['cafe-ap'],
    );
    assert.equal(reads(), 1, 'the second list came from memory');
    await addNas(ctx.db, ctx.cipher, {
      name: 'cafe-ap2',
      address: '192.0.2.20',
      secret: 'second-secret-123',
      vendor: 'coovachilli',
      venueId: venue.id,
    });
    assert.deepEqual(
      (await listVenueNas(ctx.db, ctx.cipher, venue.id)).map((n) => n.name),
      ['cafe-ap', 'cafe-ap2'],
      'the write dropped it',
    );
    assert.equal(reads(), 2);
    await assert.rejects(
      ctx.db.tx(async (tx) => {
        await addNas(tx, ctx.cipher, {
          name: 'cafe-ap3',
          address: '192.0.2.30',
          secret: 'third-secret-1234',
          vendor: 'coovachilli',
          venueId: venue.id,
        });
        assert.equal((await listVenueNas(tx, ctx.cipher, venue.id)).length, 3, 'a transaction sees its own write');
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    assert.equal(
      (await listVenueNas(ctx.db, ctx.cipher, venue.id)).length,
      2,
      'what a rolled-back transaction saw is not kept',
    );
  });

  it("learns of another process's NAS change through the grant change feed", async () => {
    const other = await buildContext(ctx.config, ctx.log);
    const following = createAccessPolicy({
      db: ctx.db,
      cipher: ctx.cipher,
      log: ctx.log,
      grantCacheMs: 600_000,
      grantChangesMs: 100,
    });
    try {
      assert.equal((await listVenueNas(ctx.db, ctx.cipher, venue.id)).length, 1);
      await addNas(other.db, other.cipher, {
        name: 'cafe-ap2',
        address: '192.0.2.20',
        secret: 'second-secret-123',
        vendor: 'coovachilli',
        venueId: venue.id,
      });
      const until = Date.now() + 2000;
      while ((await listVenueNas(ctx.db, ctx.cipher, venue.id)).length === 1 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(
        (await listVenueNas(ctx.db, ctx.cipher, venue.id)).length,
        2,
        'within two seconds, well inside the 5 s the list is kept without a feed',
      );
    } finally {
      following.close();
      await other.sms.close();
      await other.db.close();
    }
  });
});
