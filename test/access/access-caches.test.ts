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
    const ask = async () => (await policy.authorize(papRequest(nas, g.username, g.password, { callingStationId: mac }))).result;
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
      const otherPolicy = createAccessPolicy({ db: other.db, cipher: other.cipher, log: other.log, grantCacheMs: 600_000 });
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
});
