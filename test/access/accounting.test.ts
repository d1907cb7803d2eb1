import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { createAccessPolicy, type AccessPolicy } from '../../portal/access/policy.ts';
import { listSessions, type Session } from '../../portal/access/sessions.ts';
import { closeStaleSessionsJob } from '../../portal/jobs/close-stale-sessions.ts';
import { runJob } from '../../portal/jobs/scheduler.ts';
import type { DisconnectTarget } from '../../portal/access/disconnect-request.ts';
import { acct, guestGrant, venueWithNas } from './fixtures.ts';
import type { Venue } from '../../portal/venues/venues.ts';
import type { NasRecord } from '../../portal/access/nas-clients.ts';

const MIN = 60_000;

eachBackend('access: accounting', (backend) => {
  let ctx: TestContext;
  let policy: AccessPolicy;
  let venue: Venue;
  let nas: NasRecord;
  let clock = Date.now();
  let sent: DisconnectTarget[];

  const one = async (acctSessionId: string): Promise<Session> => {
    const all = (await listSessions(ctx.db, { all: true })).filter((s) => s.acctSessionId === acctSessionId);
    assert.equal(all.length, 1, `one row for ${acctSessionId}`);
    return all[0];
  };

  beforeEach(async () => {
    ctx = await testContext({ backend });
    clock = Date.now();
    sent = [];
    policy = createAccessPolicy({
      db: ctx.db,
      cipher: ctx.cipher,
      log: ctx.log,
      now: () => clock,
      disconnect: async (t) => {
        sent.push(t);
        return { result: 'ack' };
      },
    });
    ({ venue, nas } = await venueWithNas(ctx, 'cafe', { dataCapMb: 10, interimMinutes: 5 }));
  });
  afterEach(() => ctx.cleanup());

  it('stores Start, Interim-Update and Stop on one row, tied to the grant by Class', async () => {
    const g = await guestGrant(ctx, venue);
    await policy.account(
      acct(nas, 'start', {
        sessionId: 'A1',
        userName: g.username,
        class: g.id,
        callingStationId: 'AA-BB-CC-DD-EE-10',
        framedIpAddress: '10.1.0.5',
      }),
    );
    let s = await one('A1');
    assert.equal(s.grantId, g.id);
    assert.equal(s.mac, 'aa:bb:cc:dd:ee:10');
    assert.equal(s.framedIp, '10.1.0.5');
    assert.equal(s.startedAt, clock);
    assert.equal(s.stoppedAt, null);
    assert.equal(s.interimInterval, 300);
    assert.equal(s.staleAt, clock + 15 * MIN);

    clock += 5 * MIN;
    await policy.account(
      acct(nas, 'interim', {
        sessionId: 'A1',
        userName: g.username,
        class: g.id,
        inputOctets: 2 ** 32 + 7,
        outputOctets: 1000,
        sessionTimeSeconds: 300,
      }),
    );
    s = await one('A1');
    assert.equal(s.inputOctets, 2 ** 32 + 7);
    assert.equal(s.outputOctets, 1000);
    assert.equal(s.updatedAt, clock);

    // A late retransmission of an older interim does not move the counters back.
    await policy.account(
      acct(nas, 'interim', {
        sessionId: 'A1',
        userName: g.username,
        class: g.id,
        inputOctets: 10,
        outputOctets: 10,
        sessionTimeSeconds: 120,
      }),
    );
    assert.equal((await one('A1')).inputOctets, 2 ** 32 + 7);

    clock += MIN;
    const stop = acct(nas, 'stop', {
      sessionId: 'A1',
      userName: g.username,
      class: g.id,
      inputOctets: 2 ** 32 + 9,
      outputOctets: 2000,
      sessionTimeSeconds: 360,
      terminateCause: 'User-Request',
    });
    await policy.account(stop);
    await policy.account(stop);
    s = await one('A1');
    assert.equal(s.stoppedAt, clock);
    assert.equal(s.terminateCause, 'User-Request');
    assert.equal(s.outputOctets, 2000);
    assert.equal(s.sessionTime, 360);
    // A straggling interim after the Stop does not reopen it.
    await policy.account(acct(nas, 'interim', { sessionId: 'A1', class: g.id, sessionTimeSeconds: 300 }));
    assert.equal((await one('A1')).stoppedAt, clock);
  });

  it('creates the session from an Interim-Update or Stop whose Start was lost, and finds the grant by user name without Class', async () => {
    const g = await guestGrant(ctx, venue);
    await policy.account(
      acct(nas, 'interim', { sessionId: 'B1', userName: g.username, sessionTimeSeconds: 600, inputOctets: 5 }),
    );
    const s = await one('B1');
    assert.equal(s.grantId, g.id);
    assert.equal(s.startedAt, clock - 600_000);
  });

  it('Accounting-On and Accounting-Off close every open session of that NAS only', async () => {
    const other = await venueWithNas(ctx, 'hotel', {}, '192.0.2.0/24');
    await policy.account(acct(nas, 'start', { sessionId: 'C1' }));
    await policy.account(acct(nas, 'start', { sessionId: 'C2' }));
    await policy.account(acct(other.nas, 'start', { sessionId: 'C3' }));
    clock += MIN;
    await policy.account(acct(nas, 'accounting-on'));
    assert.equal((await one('C1')).terminateCause, 'NAS-Reboot');
    assert.equal((await one('C2')).stoppedAt, clock);
    assert.equal((await one('C3')).stoppedAt, null);
    await policy.account(acct(other.nas, 'accounting-off'));
    assert.equal((await one('C3')).terminateCause, 'NAS-Request');
    assert.equal((await listSessions(ctx.db)).length, 0);
  });

  it('asks the NAS to disconnect a session whose interim shows the data cap used up, once', async () => {
    const g = await guestGrant(ctx, venue);
    await policy.account(
      acct(nas, 'start', {
        sessionId: 'D1',
        userName: g.username,
        class: g.id,
        callingStationId: 'aa:bb:cc:dd:ee:11',
        framedIpAddress: '10.1.0.9',
      }),
    );
    await policy.account(
      acct(nas, 'interim', { sessionId: 'D1', class: g.id, inputOctets: 5 * 1024 * 1024, sessionTimeSeconds: 300 }),
    );
    await policy.settled();
    assert.equal(sent.length, 0);
    await policy.account(
      acct(nas, 'interim', {
        sessionId: 'D1',
        class: g.id,
        inputOctets: 5 * 1024 * 1024,
        outputOctets: 6 * 1024 * 1024,
        sessionTimeSeconds: 600,
      }),
    );
    await policy.settled();
    assert.equal(sent.length, 1);
    assert.equal(sent[0].nas.id, nas.id);
    assert.equal(sent[0].acctSessionId, 'D1');
    assert.equal(sent[0].userName, g.username);
    assert.equal(sent[0].callingStationId, 'aa:bb:cc:dd:ee:11');
    assert.equal(sent[0].framedIpAddress, '10.1.0.9');
    assert.equal((await one('D1')).disconnectResult, 'ack');
    await policy.account(
      acct(nas, 'interim', {
        sessionId: 'D1',
        class: g.id,
        inputOctets: 6 * 1024 * 1024,
        outputOctets: 6 * 1024 * 1024,
        sessionTimeSeconds: 900,
      }),
    );
    await policy.settled();
    assert.equal(sent.length, 1);
  });

  it('disconnects a session still online after its grant ended', async () => {
    const g = await guestGrant(ctx, venue, { now: clock - 5 * 3_600_000 });
    await policy.account(acct(nas, 'interim', { sessionId: 'E1', class: g.id, sessionTimeSeconds: 300 }));
    await policy.settled();
    assert.equal(sent.map((t) => t.acctSessionId).join(), 'E1');
  });

  it('the stale-session job closes sessions silent for three interim intervals; a later interim reopens them', async () => {
    await policy.account(acct(nas, 'start', { sessionId: 'F1' }));
    clock += 10 * MIN;
    await policy.account(acct(nas, 'start', { sessionId: 'F2' }));
    const jctx = { db: ctx.db, log: ctx.log, now: () => clock + 5 * MIN + 1 };
    assert.deepEqual(await runJob(closeStaleSessionsJob, jctx), { closed: 1 });
    const f1 = await one('F1');
    assert.equal(f1.terminateCause, 'Stale-Session');
    assert.equal(f1.stoppedAt, f1.updatedAt);
    assert.equal((await one('F2')).stoppedAt, null);
    clock += 6 * MIN;
    await policy.account(acct(nas, 'interim', { sessionId: 'F1', sessionTimeSeconds: 960 }));
    assert.equal((await one('F1')).stoppedAt, null);
  });

  it('answers a record without Acct-Session-Id without storing anything', async () => {
    await policy.account(acct(nas, 'start', {}));
    assert.equal((await listSessions(ctx.db, { all: true })).length, 0);
  });
});
