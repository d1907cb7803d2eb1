import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { createAccessPolicy } from '../../portal/access/policy.ts';
import { revokeGrant } from '../../portal/access/grants.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { coaDisconnector } from '../../portal/access/coa.ts';
import { listSessions } from '../../portal/access/sessions.ts';
import { hostOf } from '../../portal/access/disconnect-request.ts';
import { acct, guestGrant, papRequest } from './fixtures.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { nasResponder, text, type NasResponder } from './nas-responder.ts';

const SECRET = 'revoke-test-secret';

eachBackend('access: revocation disconnects over UDP', (backend) => {
  let ctx: TestContext;
  const responders: NasResponder[] = [];
  beforeEach(async () => (ctx = await testContext({ backend })));
  afterEach(async () => {
    await Promise.all(responders.splice(0).map((r) => r.close()));
    await ctx.cleanup();
  });

  it('sends each open session of the grant a Disconnect-Request and records ACK and NAK', async () => {
    const venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Cafe', country: 'BG' });
    const acking = await nasResponder({ secret: SECRET, answer: 'ack' });
    // A controller known by a range: the Disconnect goes to the NAS-IP-Address it reported.
    const naking = await nasResponder({ host: '127.0.0.2', secret: SECRET, answer: { nak: 503 } });
    responders.push(acking, naking);
    const a = await addNas(ctx.db, ctx.cipher, {
      name: 'ap-a',
      address: '127.0.0.1',
      secret: SECRET,
      vendor: 'coovachilli',
      venueId: venue.id,
      coaPort: acking.port,
    });
    const b = await addNas(ctx.db, ctx.cipher, {
      name: 'ap-b',
      address: '127.0.0.0/30',
      secret: SECRET,
      vendor: 'mikrotik',
      venueId: venue.id,
      coaPort: naking.port,
    });
    const policy = createAccessPolicy({ db: ctx.db, cipher: ctx.cipher, log: ctx.log });
    const g = await guestGrant(ctx, venue);
    assert.equal((await policy.authorize(papRequest(a, g.username, g.password))).result, 'accept');
    await policy.account(
      acct(a, 'start', {
        sessionId: 'sess-a',
        userName: g.username,
        class: g.id,
        framedIpAddress: '10.0.0.7',
        callingStationId: 'aa:bb:cc:dd:ee:01',
      }),
    );
    await policy.account(
      acct(b, 'start', {
        sessionId: 'sess-b',
        userName: g.username,
        class: g.id,
        attributes: { 'NAS-IP-Address': '127.0.0.2' },
        callingStationId: 'aa:bb:cc:dd:ee:02',
      }),
    );
    await policy.account(acct(a, 'stop', { sessionId: 'sess-done', userName: g.username, class: g.id }));

    const r = await revokeGrant(
      {
        db: ctx.db,
        cipher: ctx.cipher,
        log: ctx.log,
        now: Date.now,
        disconnect: coaDisconnector({ timeoutMs: 300, retries: 1 }),
      },
      g.id,
    );
    assert.equal(r.found, true);
    assert.deepEqual(r.sessions.map((s) => s.outcome.result).sort(), ['ack', 'nak']);

    assert.equal(acking.received.length, 1);
    const got = acking.received[0];
    assert.equal(got.code, 40, 'Disconnect-Request');
    assert.equal(got.genuine, true);
    assert.equal(text(got, 44), 'sess-a');
    assert.equal(text(got, 1), g.username);
    assert.deepEqual([...got.attrs.get(8)![0]], [10, 0, 0, 7]);
    assert.equal(naking.received.length, 1);
    assert.equal(text(naking.received[0], 44), 'sess-b');

    const rows = await listSessions(ctx.db, { all: true });
    const result = Object.fromEntries(rows.map((s) => [s.acctSessionId, s.disconnectResult]));
    assert.equal(result['sess-a'], 'ack');
    assert.match(result['sess-b'] ?? '', /^nak:(503|Session-Context-Not-Found)$/);
    assert.equal(result['sess-done'], null);
    assert.equal((await policy.authorize(papRequest(a, g.username, g.password))).result, 'reject');
  });

  it('reports a NAS that does not answer, after its retries', async () => {
    const venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Cafe', country: 'BG' });
    const silent = await nasResponder({ secret: SECRET, answer: 'silent' });
    responders.push(silent);
    const a = await addNas(ctx.db, ctx.cipher, {
      name: 'ap-a',
      address: '127.0.0.1',
      secret: SECRET,
      vendor: 'generic',
      venueId: venue.id,
      coaPort: silent.port,
    });
    const policy = createAccessPolicy({ db: ctx.db, cipher: ctx.cipher, log: ctx.log });
    const g = await guestGrant(ctx, venue);
    await policy.account(acct(a, 'start', { sessionId: 'quiet', userName: g.username, class: g.id }));
    const r = await revokeGrant(
      {
        db: ctx.db,
        cipher: ctx.cipher,
        log: ctx.log,
        now: Date.now,
        disconnect: coaDisconnector({ timeoutMs: 150, retries: 2 }),
      },
      g.id,
    );
    assert.deepEqual(
      r.sessions.map((s) => s.outcome.result),
      ['timeout'],
    );
    assert.equal(silent.received.length, 3);
    assert.equal((await listSessions(ctx.db))[0].disconnectResult, 'timeout');
  });

  it('says so when the grant does not exist', async () => {
    const r = await revokeGrant(
      { db: ctx.db, cipher: ctx.cipher, log: ctx.log, now: Date.now },
      '00000000-0000-0000-0000-000000000000',
    );
    assert.deepEqual(r, { found: false, sessions: [] });
  });
});

describe('access: where a Disconnect-Request goes', () => {
  it('to the NAS address, or to the reported NAS-IP-Address inside its range', () => {
    assert.equal(hostOf('192.0.2.10', null), '192.0.2.10');
    assert.equal(hostOf('192.0.2.10/32', '198.51.100.1'), '192.0.2.10');
    assert.equal(hostOf('192.0.2.0/24', '192.0.2.77'), '192.0.2.77');
    assert.equal(hostOf('192.0.2.0/24', '198.51.100.1'), undefined);
    assert.equal(hostOf('192.0.2.0/24', null), undefined);
    assert.equal(hostOf('2001:db8::/64', '2001:db8::5'), '2001:db8::5');
  });
});
