// Issue 18, as an attacker: a returning device is answered from memory, so what was kept
// must never answer for more than it was made for. Over real UDP with the RADIUS service as
// npm start wires it (grant cache on, change feed read every second):
//  - a device's cached grant at one venue does not answer for its MAC at another venue's NAS;
//  - a revoked or blocked device is refused at once, whatever notation its MAC is sent in,
//    and a request naming its MAC from another station is refused;
//  - a NAS moved to another venue answers for that venue only, and a NAS removed is not
//    answered at all, though the device's grant is still in the cache;
//  - the grant's time is never cached: an expired grant outside the remember window is refused.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { randomFillSync } from 'node:crypto';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { guestGrant, papRequest, venueWithNas } from './fixtures.ts';
import { startRadius, type RadiusService } from '../../portal/radius-main.ts';
import { revokeGrant } from '../../portal/access/grants.ts';
import { blockDevice } from '../../portal/access/device-blocks.ts';
import { removeNas, updateNasRadius, nasInput } from '../../portal/access/nas-clients.ts';
import { createAccessPolicy } from '../../portal/access/policy.ts';
import { encryptUserPassword, signAccessRequest } from '../../radius/authenticators.ts';
import { ATTR, CODE, writePacket } from '../../radius/codec.ts';

const SECRET = Buffer.from('testing123-secret');
const HOUR = 3_600_000;

type Answer = 'accept' | 'reject' | 'none';

/** MAC authentication as a NAS at `from` sends it: the MAC as User-Name and password, and the station asking. */
async function macAuth(port: number, from: string, mac: string, station = mac, timeoutMs = 1000): Promise<Answer> {
  const auth = randomFillSync(Buffer.allocUnsafe(16));
  const attrs = [
    { type: ATTR.UserName, value: Buffer.from(mac) },
    { type: ATTR.UserPassword, value: encryptUserPassword(mac, auth, SECRET) },
    { type: ATTR.CallingStationId, value: Buffer.from(station) },
  ];
  const packet = signAccessRequest(writePacket(CODE.AccessRequest, 1, auth, attrs, true), 22, SECRET);
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, from, r));
  try {
    return await new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => resolve('none'), timeoutMs);
      socket.once('message', (m) => {
        clearTimeout(timer);
        resolve(m[0] === CODE.AccessAccept ? 'accept' : m[0] === CODE.AccessReject ? 'reject' : 'none');
      });
      socket.send(packet, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/** The answer `want`, within a second (the change feed's delay), else the last one seen. */
async function within1s(ask: () => Promise<Answer>, want: Answer): Promise<Answer> {
  const until = Date.now() + 1000;
  let got: Answer;
  do got = await ask();
  while (got !== want && Date.now() < until);
  return got;
}

eachBackend('access: what a cached returning device cannot be made to do', (backend) => {
  let ctx: TestContext;
  let server: RadiusService;
  beforeEach(async () => {
    ctx = await testContext({ backend });
    server = await startRadius(ctx, { authPort: 0, acctPort: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await server.stop();
    await ctx.cleanup();
  });

  it("a device's cached grant answers at its venue only: another venue's NAS asking about its MAC is refused", async () => {
    const cafe = await venueWithNas(ctx, 'cafe', {}, '127.0.0.1');
    await venueWithNas(ctx, 'hotel', {}, '127.0.0.2');
    await guestGrant(ctx, cafe.venue, { mac: 'aa:bb:cc:00:10:01' });
    assert.equal(await macAuth(server.authPort, '127.0.0.1', 'AA-BB-CC-00-10-01'), 'accept');
    assert.equal(await macAuth(server.authPort, '127.0.0.1', 'AA-BB-CC-00-10-01'), 'accept', 'now from the cache');
    for (const mac of ['AA-BB-CC-00-10-01', 'aabbcc001001', 'aa:bb:cc:00:10:01'])
      assert.equal(await macAuth(server.authPort, '127.0.0.2', mac), 'reject', `the hotel's NAS asking about ${mac}`);
    assert.equal(
      await macAuth(server.authPort, '127.0.0.1', 'AA-BB-CC-00-10-01'),
      'accept',
      'still let in at the cafe',
    );
  });

  it('a revoked or blocked device is refused at once, in every notation of its MAC, and its MAC from another station is refused', async () => {
    const { venue } = await venueWithNas(ctx, 'cafe');
    const g = await guestGrant(ctx, venue, { mac: 'aa:bb:cc:00:20:01' });
    await guestGrant(ctx, venue, { mac: 'aa:bb:cc:00:20:02' });
    for (const mac of ['AA-BB-CC-00-20-01', 'AA-BB-CC-00-20-02'])
      assert.equal(await macAuth(server.authPort, '127.0.0.1', mac), 'accept');
    assert.equal(
      await macAuth(server.authPort, '127.0.0.1', 'AA-BB-CC-00-20-01', 'AA-BB-CC-00-20-99'),
      'reject',
      'User-Name and Calling-Station-Id naming different devices',
    );

    await revokeGrant({ db: ctx.db, cipher: ctx.cipher, log: ctx.log, now: ctx.now }, g.id);
    for (const mac of ['AA-BB-CC-00-20-01', 'aabbcc002001', 'aabb.cc00.2001', 'AA:BB:CC:00:20:01'])
      assert.equal(await macAuth(server.authPort, '127.0.0.1', mac), 'reject', `revoked, sent as ${mac}`);

    await blockDevice(ctx.db, { venueId: venue.id, mac: 'aa:bb:cc:00:20:02', hours: 1 }, ctx.now());
    for (const mac of ['AA-BB-CC-00-20-02', 'aabbcc002002'])
      assert.equal(await macAuth(server.authPort, '127.0.0.1', mac), 'reject', `blocked, sent as ${mac}`);
  });

  it('a NAS moved to another venue answers for that venue only, and a NAS removed is not answered, the grant still cached', async () => {
    const cafe = await venueWithNas(ctx, 'cafe');
    const hotel = await venueWithNas(ctx, 'hotel', {}, '127.0.0.2');
    await guestGrant(ctx, cafe.venue, { mac: 'aa:bb:cc:00:30:01' });
    const ask = () => macAuth(server.authPort, '127.0.0.1', 'AA-BB-CC-00-30-01', undefined, 300);
    assert.equal(await ask(), 'accept');

    const moved = nasInput.parse({
      name: 'cafe-ap',
      address: '127.0.0.1',
      vendor: 'coovachilli',
      venueId: hotel.venue.id,
    });
    assert.ok(await updateNasRadius(ctx.db, ctx.cipher, cafe.nas.id, moved, undefined));
    assert.equal(
      await within1s(ask, 'reject'),
      'reject',
      'the NAS now asks for the hotel, where the device has no grant',
    );

    assert.ok(await removeNas(ctx.db, 'cafe-ap'));
    assert.equal(await within1s(ask, 'none'), 'none', 'a removed NAS gets no answer');
  });
});

eachBackend('access: a cached grant keeps no time', (backend) => {
  let ctx: TestContext;
  beforeEach(async () => (ctx = await testContext({ backend })));
  afterEach(() => ctx.cleanup());

  it('refuses a cached device once its grant has ended outside the remember window, and renews it inside', async () => {
    let clock = Date.now();
    const policy = createAccessPolicy({
      db: ctx.db,
      cipher: ctx.cipher,
      log: ctx.log,
      now: () => clock,
      grantCacheMs: 600_000,
    });
    try {
      const { venue, nas } = await venueWithNas(ctx, 'cafe', { durationMinutes: 60, rememberDays: 1 });
      await guestGrant(ctx, venue, { mac: 'aa:bb:cc:00:40:01', now: clock });
      const req = papRequest(nas, 'AA-BB-CC-00-40-01', 'AA-BB-CC-00-40-01', { callingStationId: 'AA-BB-CC-00-40-01' });
      assert.equal((await policy.authorize(req)).result, 'accept');
      const cached = policy.authorize(req);
      assert.ok(!(cached instanceof Promise) && cached.result === 'accept', 'answered from the cache');
      clock += 2 * HOUR; // the window is over, the remember window is not: a new window
      const renewed = await policy.authorize(req);
      assert.equal(renewed.result, 'accept');
      assert.equal((renewed as { sessionTimeout: number }).sessionTimeout, 3600);
      clock += 2 * 24 * HOUR; // past the remember window too
      assert.equal((await policy.authorize(req)).result, 'reject');
    } finally {
      policy.close();
    }
  });
});
