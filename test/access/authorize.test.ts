import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { createAccessPolicy, type AccessPolicy } from '../../portal/access/policy.ts';
import { revokeGrant } from '../../portal/access/grants.ts';
import { rejectSinceLastGrant } from '../../portal/access/reject-reasons.ts';
import { acct, chapRequest, guestGrant, papRequest, venueWithNas } from './fixtures.ts';
import type { AccessDecision } from '../../radius/types.ts';
import type { Venue } from '../../portal/venues/venues.ts';
import type { NasRecord } from '../../portal/access/nas-clients.ts';

const HOUR = 3_600_000;

function accepted(d: AccessDecision) {
  assert.equal(
    d.result,
    'accept',
    d.result === 'reject' ? `rejected: ${d.replyMessage}` : d.result === 'drop' ? `dropped: ${d.reason}` : '',
  );
  return d as Extract<AccessDecision, { result: 'accept' }>;
}
function rejected(d: AccessDecision, re: RegExp) {
  assert.equal(d.result, 'reject');
  assert.match((d as { replyMessage: string }).replyMessage, re);
}

eachBackend('access: authorisation', (backend) => {
  let ctx: TestContext;
  let policy: AccessPolicy;
  let venue: Venue;
  let nas: NasRecord;
  let clock = Date.now();

  beforeEach(async () => {
    ctx = await testContext({ backend });
    clock = Date.now();
    policy = createAccessPolicy({ db: ctx.db, cipher: ctx.cipher, log: ctx.log, now: () => clock });
    ({ venue, nas } = await venueWithNas(ctx, 'cafe', {
      durationMinutes: 240,
      idleTimeoutMinutes: 15,
      upKbps: 2000,
      downKbps: 8000,
      dataCapMb: 100,
      devicesPerGuest: 2,
      rememberDays: 30,
      interimMinutes: 5,
    }));
  });
  afterEach(() => ctx.cleanup());

  /** The refusal stored for a key (`mac:…`, normalised, or `user:…`), as the RADIUS path wrote it. */
  const recorded = async (key: string) => {
    const r = await ctx.db.get<{ reason: string; at: number }>('SELECT reason, at FROM access_rejects WHERE key = ?', [
      key,
    ]);
    return r && { reason: r.reason, at: Number(r.at) };
  };

  it('accepts PAP with what is left of the grant, the idle timeout, interim interval, Class and bandwidth', async () => {
    const g = await guestGrant(ctx, venue, { now: clock - HOUR });
    const d = accepted(
      await policy.authorize(papRequest(nas, g.username, g.password, { callingStationId: 'AA-BB-CC-00-11-22' })),
    );
    assert.equal(d.sessionTimeout, 3 * 3600);
    assert.equal(d.idleTimeout, 15 * 60);
    assert.equal(d.interimInterval, 300);
    assert.equal(d.class, g.id);
    assert.deepEqual(d.bandwidth, { upKbps: 2000, downKbps: 8000 });
    assert.equal(d.dataLimitBytes, 100 * 1024 * 1024);
  });

  it('accepts CHAP with the right password and rejects a wrong one', async () => {
    const g = await guestGrant(ctx, venue);
    accepted(await policy.authorize(chapRequest(nas, g.username, g.password)));
    rejected(await policy.authorize(chapRequest(nas, g.username, `${g.password}x`)), /password is not correct/);
  });

  it('rejects a wrong PAP password and remembers why for the user', async () => {
    const g = await guestGrant(ctx, venue);
    rejected(await policy.authorize(papRequest(nas, g.username, 'not-the-password')), /password is not correct/);
    assert.equal((await recorded(`user:${g.username}`))?.reason, 'wrong_password');
  });

  it('rejects an unknown user and remembers why for the device', async () => {
    rejected(
      await policy.authorize(papRequest(nas, 'g-000000000000', 'whatever', { callingStationId: 'aa:bb:cc:dd:ee:01' })),
      /not correct/,
    );
    const r = await recorded('mac:aa:bb:cc:dd:ee:01');
    assert.equal(r?.reason, 'unknown');
    assert.equal(r?.at, clock);
  });

  it('rejects an expired grant and says so', async () => {
    const g = await guestGrant(ctx, venue, { now: clock - 5 * HOUR, mac: 'aa:bb:cc:dd:ee:02' });
    rejected(
      await policy.authorize(papRequest(nas, g.username, g.password, { callingStationId: 'aa:bb:cc:dd:ee:02' })),
      /expired/,
    );
    const r = await recorded('mac:aa:bb:cc:dd:ee:02');
    assert.equal(r?.reason, 'expired');
    // What the portal reads for this device when it comes back: this venue's refusal only.
    assert.equal(await rejectSinceLastGrant(ctx.db, 'aa:bb:cc:dd:ee:02', venue.id, clock), 'expired');
    assert.equal(await rejectSinceLastGrant(ctx.db, 'aa:bb:cc:dd:ee:02', 'another-venue', clock), undefined);
    assert.equal(
      await rejectSinceLastGrant(ctx.db, 'aa:bb:cc:dd:ee:02', venue.id, clock + 1),
      undefined,
      'older than asked for',
    );
    // Signed up again since: the refusal is history.
    await guestGrant(ctx, venue, { now: clock + 1, mac: 'aa:bb:cc:dd:ee:02' });
    assert.equal(
      await rejectSinceLastGrant(ctx.db, 'aa:bb:cc:dd:ee:02', venue.id, clock),
      undefined,
      'before the latest grant',
    );
  });

  it('rejects a revoked grant', async () => {
    const g = await guestGrant(ctx, venue);
    const r = await revokeGrant({ db: ctx.db, cipher: ctx.cipher, log: ctx.log, now: () => clock }, g.id);
    assert.equal(r.found, true);
    rejected(await policy.authorize(papRequest(nas, g.username, g.password)), /withdrawn/);
  });

  it("rejects a grant from another venue's NAS", async () => {
    const g = await guestGrant(ctx, venue);
    const other = await venueWithNas(ctx, 'hotel', {}, '192.0.2.0/24');
    rejected(await policy.authorize(papRequest(other.nas, g.username, g.password)), /another venue/);
  });

  it('counts octets against the data cap: what is left goes out, and none left is a reject', async () => {
    const g = await guestGrant(ctx, venue, { mac: 'aa:bb:cc:dd:ee:03' });
    await policy.account(
      acct(nas, 'start', { sessionId: 's1', userName: g.username, class: g.id, callingStationId: 'aa:bb:cc:dd:ee:03' }),
    );
    await policy.account(
      acct(nas, 'stop', {
        sessionId: 's1',
        userName: g.username,
        class: g.id,
        inputOctets: 10 * 1024 * 1024,
        outputOctets: 30 * 1024 * 1024,
        sessionTimeSeconds: 60,
      }),
    );
    const d = accepted(await policy.authorize(papRequest(nas, g.username, g.password)));
    assert.equal(d.dataLimitBytes, 60 * 1024 * 1024);
    await policy.account(
      acct(nas, 'stop', {
        sessionId: 's2',
        userName: g.username,
        class: g.id,
        inputOctets: 0,
        outputOctets: 2 ** 32 + 5,
        sessionTimeSeconds: 60,
      }),
    );
    rejected(await policy.authorize(papRequest(nas, g.username, g.password)), /used all the data/);
    assert.equal((await recorded(`user:${g.username}`))?.reason, 'data_used_up');
  });

  it('limits simultaneous devices, not re-authentication of a device already online', async () => {
    const g = await guestGrant(ctx, venue);
    for (const [i, mac] of ['02:00:00:00:00:01', '02:00:00:00:00:02'].entries()) {
      accepted(await policy.authorize(papRequest(nas, g.username, g.password, { callingStationId: mac })));
      await policy.account(
        acct(nas, 'start', { sessionId: `d${i}`, userName: g.username, class: g.id, callingStationId: mac }),
      );
    }
    rejected(
      await policy.authorize(papRequest(nas, g.username, g.password, { callingStationId: '02:00:00:00:00:03' })),
      /Too many of your devices.*at most 2/,
    );
    accepted(
      await policy.authorize(papRequest(nas, g.username, g.password, { callingStationId: '02-00-00-00-00-01' })),
    );
    await policy.account(
      acct(nas, 'stop', { sessionId: 'd0', userName: g.username, class: g.id, sessionTimeSeconds: 30 }),
    );
    accepted(
      await policy.authorize(papRequest(nas, g.username, g.password, { callingStationId: '02:00:00:00:00:03' })),
    );
  });

  it('accepts MAC authentication in every usual notation while the grant lasts', async () => {
    const g = await guestGrant(ctx, venue, { mac: 'AA-BB-CC-DD-EE-04', now: clock - HOUR });
    for (const name of ['aa:bb:cc:dd:ee:04', 'AA-BB-CC-DD-EE-04', 'aabbccddee04', 'aabb.ccdd.ee04']) {
      const d = accepted(
        await policy.authorize(papRequest(nas, name, name, { callingStationId: 'AA-BB-CC-DD-EE-04' })),
      );
      assert.equal(d.class, g.id);
      assert.equal(d.sessionTimeout, 3 * 3600);
    }
  });

  it('gives a remembered device a new window after its grant ended, and stops at the remember window', async () => {
    const g = await guestGrant(ctx, venue, { mac: 'aa:bb:cc:dd:ee:05', now: clock - 3 * 24 * HOUR });
    await policy.account(
      acct(nas, 'stop', {
        sessionId: 'old',
        userName: g.username,
        class: g.id,
        inputOctets: 100 * 1024 * 1024,
        sessionTimeSeconds: 60,
      }),
    );
    const d = accepted(await policy.authorize(papRequest(nas, 'aa:bb:cc:dd:ee:05', 'aa:bb:cc:dd:ee:05')));
    assert.equal(d.sessionTimeout, 240 * 60);
    // The old window's octets do not count against the new one.
    assert.equal(d.dataLimitBytes, 100 * 1024 * 1024);
    const row = await ctx.db.get<{ ends_at: number }>('SELECT ends_at FROM grants WHERE id = ?', [g.id]);
    assert.equal(Number(row?.ends_at), clock + 240 * 60_000);
    // Its username login follows the same window.
    accepted(await policy.authorize(papRequest(nas, g.username, g.password)));

    clock += 31 * 24 * HOUR;
    rejected(await policy.authorize(papRequest(nas, 'aa:bb:cc:dd:ee:05', '')), /not remembered/);
  });

  it('rejects MAC authentication for an unknown device, another venue, a revoked grant, or a mismatched station', async () => {
    rejected(await policy.authorize(papRequest(nas, 'aa:bb:cc:dd:ee:06', '')), /not remembered/);
    const other = await venueWithNas(ctx, 'hotel', {}, '192.0.2.0/24');
    const g = await guestGrant(ctx, other.venue, { mac: 'aa:bb:cc:dd:ee:07' });
    rejected(await policy.authorize(papRequest(nas, 'aa:bb:cc:dd:ee:07', '')), /not remembered/);
    accepted(await policy.authorize(papRequest(other.nas, 'aa:bb:cc:dd:ee:07', '')));
    rejected(
      await policy.authorize(papRequest(other.nas, 'aa:bb:cc:dd:ee:07', '', { callingStationId: 'aa:bb:cc:dd:ee:08' })),
      /not correct/,
    );
    await revokeGrant({ db: ctx.db, cipher: ctx.cipher, log: ctx.log, now: () => clock }, g.id);
    rejected(await policy.authorize(papRequest(other.nas, 'aa:bb:cc:dd:ee:07', '')), /withdrawn/);
  });

  it('drops (no answer, never a reject) when the database is down', async () => {
    const g = await guestGrant(ctx, venue);
    await ctx.db.close();
    const d = await policy.authorize(papRequest(nas, g.username, g.password));
    assert.equal(d.result, 'drop');
  });
});
