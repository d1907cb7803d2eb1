import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { createAccessPolicy, type AccessPolicy } from '../../portal/access/policy.ts';
import { revokeGrant } from '../../portal/access/grants.ts';
import { GrantStateCache } from '../../portal/access/grant-cache.ts';
import type { GrantState } from '../../portal/access/grant-state.ts';
import type { Db } from '../../portal/store/db.ts';
import { acct, guestGrant, papRequest, venueWithNas } from './fixtures.ts';
import { updateVenueSettings, type Venue } from '../../portal/venues/venues.ts';
import { outdatedConsents } from '../../portal/consent/reconsent.ts';
import type { NasRecord } from '../../portal/access/nas-clients.ts';

/** The database, counting the reads of the grants table (the auth path's query). */
function counting(db: Db): { db: Db; grantReads: () => number } {
  let n = 0;
  const counted: Db = Object.create(db);
  counted.get = (sql, params) => {
    if (/FROM grants g/.test(sql)) n++;
    return db.get(sql, params);
  };
  return { db: counted, grantReads: () => n };
}

eachBackend('access: grant state cache', (backend) => {
  let ctx: TestContext;
  let policy: AccessPolicy;
  let venue: Venue;
  let nas: NasRecord;
  let clock: number;
  let grantReads: () => number;

  beforeEach(async () => {
    ctx = await testContext({ backend });
    clock = Date.now();
    const c = counting(ctx.db);
    grantReads = c.grantReads;
    policy = createAccessPolicy({ db: c.db, cipher: ctx.cipher, log: ctx.log, now: () => clock, grantCacheMs: 1000 });
    ({ venue, nas } = await venueWithNas(ctx, 'cafe', { devicesPerGuest: 1, dataCapMb: 1 }));
  });
  afterEach(async () => {
    policy.close();
    await ctx.cleanup();
  });

  it('answers a repeat inside the TTL without the database and reads again after it', async () => {
    const g = await guestGrant(ctx, venue);
    for (let i = 0; i < 5; i++)
      assert.equal((await policy.authorize(papRequest(nas, g.username, g.password))).result, 'accept');
    assert.equal(grantReads(), 1);
    clock += 1001;
    assert.equal((await policy.authorize(papRequest(nas, g.username, g.password))).result, 'accept');
    assert.equal(grantReads(), 2);
  });

  it('answers a returning device by MAC synchronously from memory, its re-consent verdict included, until the wording changes', async () => {
    let consentReads = 0;
    const c = counting(ctx.db);
    const mac = createAccessPolicy({
      db: c.db,
      cipher: ctx.cipher,
      log: ctx.log,
      now: () => clock,
      grantCacheMs: 1000,
      outdatedConsents: (g) => (consentReads++, outdatedConsents(ctx, g)),
    });
    try {
      await guestGrant(ctx, venue, { mac: '02:00:00:00:00:aa' });
      const req = papRequest(nas, '02-00-00-00-00-AA', '02-00-00-00-00-AA', { callingStationId: '02-00-00-00-00-AA' });
      assert.equal((await mac.authorize(req)).result, 'accept');
      assert.deepEqual([c.grantReads(), consentReads], [1, 1]);
      for (let i = 0; i < 3; i++) {
        const d = mac.authorize(req);
        assert.ok(!(d instanceof Promise), 'a cached device is answered without a promise');
        assert.equal(d.result, 'accept');
      }
      assert.deepEqual(
        [c.grantReads(), consentReads],
        [1, 1],
        'no database read for the grant or the re-consent check',
      );
      // New wording: the verdict is made again.
      await updateVenueSettings(ctx.db, venue.id, venue.settings);
      assert.equal((await mac.authorize(req)).result, 'accept');
      assert.deepEqual([c.grantReads(), consentReads], [2, 2]);
    } finally {
      mac.close();
    }
  });

  it('still checks the password on a cache hit', async () => {
    const g = await guestGrant(ctx, venue);
    assert.equal((await policy.authorize(papRequest(nas, g.username, g.password))).result, 'accept');
    assert.equal((await policy.authorize(papRequest(nas, g.username, 'wrong-password'))).result, 'reject');
  });

  it('forgets a grant the moment it is revoked in this process', async () => {
    const g = await guestGrant(ctx, venue);
    assert.equal((await policy.authorize(papRequest(nas, g.username, g.password))).result, 'accept');
    await revokeGrant({ db: ctx.db, cipher: ctx.cipher, log: ctx.log, now: () => clock }, g.id);
    const d = await policy.authorize(papRequest(nas, g.username, g.password));
    assert.equal(d.result, 'reject');
    assert.match((d as { replyMessage: string }).replyMessage, /withdrawn/);
  });

  it('forgets a grant when accounting opens a session on it (device limit) or reports usage (data cap)', async () => {
    const g = await guestGrant(ctx, venue);
    const other = { callingStationId: 'AA-BB-CC-00-00-02' };
    assert.equal((await policy.authorize(papRequest(nas, g.username, g.password, other))).result, 'accept');
    await policy.account(
      acct(nas, 'start', { sessionId: 's1', userName: g.username, class: g.id, callingStationId: 'aa:bb:cc:00:00:01' }),
    );
    // One device per guest, and another device is online now.
    assert.equal((await policy.authorize(papRequest(nas, g.username, g.password, other))).result, 'reject');

    const h = await guestGrant(ctx, venue);
    assert.equal((await policy.authorize(papRequest(nas, h.username, h.password))).result, 'accept');
    await policy.account(
      acct(nas, 'stop', {
        sessionId: 's2',
        userName: h.username,
        class: h.id,
        inputOctets: 2 * 1024 * 1024,
        outputOctets: 0,
      }),
    );
    const d = await policy.authorize(papRequest(nas, h.username, h.password));
    assert.equal(d.result, 'reject');
  });

  it('does not cache unknown users: a grant made a moment later works at once', async () => {
    assert.equal((await policy.authorize(papRequest(nas, 'guest-not-yet', 'x'))).result, 'reject');
    const g = await guestGrant(ctx, venue);
    assert.equal((await policy.authorize(papRequest(nas, g.username, g.password))).result, 'accept');
  });
});

describe('access: grant state cache bounds', () => {
  const state = (id: string): GrantState => ({
    id,
    venueId: 'v',
    username: id,
    passwordEnc: '',
    clientMac: null,
    startsAt: 0,
    endsAt: 1,
    sessionTimeout: 0,
    idleTimeout: 0,
    upKbps: 0,
    downKbps: 0,
    dataCapBytes: 0,
    maxSessions: 1,
    rememberUntil: 0,
    revokedAt: null,
    usedOctets: 0,
    otherOpenSessions: 0,
    otherOpenUntil: null,
    blockedUntil: null,
    subjectId: null,
  });

  it('holds at most maxEntries, oldest evicted first', () => {
    const c = new GrantStateCache(1000, 3, () => 0);
    for (const id of ['a', 'b', 'c', 'd']) c.set(id, state(id), c.mark());
    assert.equal(c.size, 3);
    assert.equal(c.get('a'), undefined);
    assert.equal(c.get('d')?.id, 'd');
    c.close();
  });

  it('does not store a read that started before an invalidation', () => {
    const c = new GrantStateCache(1000, 10, () => 0);
    const epoch = c.mark();
    c.forgetGrant('a');
    c.set('a', state('a'), epoch);
    assert.equal(c.get('a'), undefined);
    c.close();
  });
});
