// End to end over real UDP on loopback: a grant as the guest flow writes it, the
// `radius` package as the NAS, Foyer's RADIUS server and access policy in between.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { exchange } from '../support/radius-harness.ts';
import { startRadius, type RadiusService } from '../../portal/radius-main.ts';
import { listSessions } from '../../portal/access/sessions.ts';
import { guestGrant, venueWithNas } from './fixtures.ts';
import { addNas, removeNas } from '../../portal/access/nas-clients.ts';

// The untyped `radius` package as an outside NAS would use it.
const radius = createRequire(import.meta.url)('radius') as {
  encode(args: object): Buffer;
  decode(args: object): { code: string; attributes: Record<string, unknown> };
  verify_response(args: object): boolean;
  add_dictionary(path: string): void;
};

const SECRET = 'testing123-secret';
for (const d of ['wispr', 'chillispot'])
  radius.add_dictionary(fileURLToPath(new URL(`../../radius/dictionaries/dictionary.${d}`, import.meta.url)));

let id = 0;
function request(code: string, attributes: [string, unknown][]) {
  const identifier = ++id % 256;
  const packet = radius.encode({
    code,
    secret: SECRET,
    identifier,
    attributes,
    add_message_authenticator: code === 'Access-Request',
  });
  return { packet, identifier };
}

async function ask(port: number, code: string, attributes: [string, unknown][]) {
  const req = request(code, attributes);
  const reply = await exchange(req.packet, port, '127.0.0.1', 2000);
  assert.ok(reply, `no answer to ${code}`);
  assert.ok(radius.verify_response({ response: reply, request: req.packet, secret: SECRET }), 'response authenticator');
  return { raw: reply, decoded: radius.decode({ packet: reply, secret: SECRET }) };
}

eachBackend('access: RADIUS over UDP with storage', (backend) => {
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

  it('grant → Access-Accept with Session-Timeout, Class and bandwidth → Start/Stop stored against the grant', async () => {
    const { venue, nas } = await venueWithNas(ctx, 'cafe', {
      durationMinutes: 60,
      upKbps: 1000,
      downKbps: 4000,
      dataCapMb: 50,
      interimMinutes: 2,
    });
    const g = await guestGrant(ctx, venue, { mac: 'AA-BB-CC-DD-EE-FF' });
    assert.equal(nas.vendor, 'coovachilli');

    const accept = await ask(server.authPort, 'Access-Request', [
      ['User-Name', g.username],
      ['User-Password', g.password],
      ['NAS-IP-Address', '127.0.0.1'],
      ['Calling-Station-Id', 'AA-BB-CC-DD-EE-FF'],
    ]);
    assert.equal(accept.decoded.code, 'Access-Accept');
    assert.equal(accept.raw[20], 80, 'Message-Authenticator first');
    const a = accept.decoded.attributes as Record<string, unknown>;
    assert.ok(Math.abs(Number(a['Session-Timeout']) - 3600) <= 2, `Session-Timeout ${a['Session-Timeout']}`);
    assert.equal(a['Idle-Timeout'], 15 * 60);
    assert.equal(a['Acct-Interim-Interval'], 120);
    const cls = a['Class'] as Buffer;
    assert.equal(cls.toString(), g.id);
    const vsa = a['Vendor-Specific'] as Record<string, unknown>;
    assert.equal(vsa['WISPr-Bandwidth-Max-Up'], 1_000_000);
    assert.equal(vsa['WISPr-Bandwidth-Max-Down'], 4_000_000);
    assert.equal(vsa['ChilliSpot-Bandwidth-Max-Down'], 4000);
    assert.equal(vsa['ChilliSpot-Max-Total-Octets'], 50 * 1024 * 1024);

    const reject = await ask(server.authPort, 'Access-Request', [
      ['User-Name', g.username],
      ['User-Password', 'wrong-password'],
      ['NAS-IP-Address', '127.0.0.1'],
    ]);
    assert.equal(reject.decoded.code, 'Access-Reject');
    assert.match(
      String((reject.decoded.attributes as Record<string, unknown>)['Reply-Message']),
      /password is not correct/,
    );

    const common: [string, unknown][] = [
      ['Acct-Session-Id', 'chilli-0001'],
      ['User-Name', g.username],
      ['Class', cls],
      ['NAS-IP-Address', '127.0.0.1'],
      ['Calling-Station-Id', 'AA-BB-CC-DD-EE-FF'],
      ['Framed-IP-Address', '10.1.0.20'],
    ];
    const start = await ask(server.acctPort, 'Accounting-Request', [['Acct-Status-Type', 'Start'], ...common]);
    assert.equal(start.decoded.code, 'Accounting-Response');
    let [s] = await listSessions(ctx.db);
    assert.equal(s.grantId, g.id);
    assert.equal(s.mac, 'aa:bb:cc:dd:ee:ff');
    assert.equal(s.framedIp, '10.1.0.20');
    assert.equal(s.nasId, nas.id);
    assert.equal(s.interimInterval, 120);

    const stop = await ask(server.acctPort, 'Accounting-Request', [
      ['Acct-Status-Type', 'Stop'],
      ...common,
      ['Acct-Session-Time', 95],
      ['Acct-Input-Octets', 1000],
      ['Acct-Input-Gigawords', 1],
      ['Acct-Output-Octets', 5000],
      ['Acct-Terminate-Cause', 'User-Request'],
    ]);
    assert.equal(stop.decoded.code, 'Accounting-Response');
    [s] = await listSessions(ctx.db, { all: true });
    assert.notEqual(s.stoppedAt, null);
    assert.equal(s.inputOctets, 2 ** 32 + 1000);
    assert.equal(s.outputOctets, 5000);
    assert.equal(s.sessionTime, 95);
    assert.match(s.terminateCause ?? '', /User-Request|^1$/);

    // The cap is now used up (4 GiB > 50 MiB): the next attempt says so.
    const capped = await ask(server.authPort, 'Access-Request', [
      ['User-Name', g.username],
      ['User-Password', g.password],
      ['NAS-IP-Address', '127.0.0.1'],
    ]);
    assert.equal(capped.decoded.code, 'Access-Reject');
    assert.match(String((capped.decoded.attributes as Record<string, unknown>)['Reply-Message']), /used all the data/);
    const metrics = await ctx.metrics.registry.getSingleMetricAsString('foyer_radius_packets_total');
    const count = (text: string, labels: string) => Number(new RegExp(`\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? 0);
    const rejects = count(metrics, 'port="auth",type="Access-Request",result="reject"');
    assert.ok(rejects >= 1, metrics);
    assert.ok(count(metrics, 'port="acct",type="Accounting-Request",result="stop"') >= 1, metrics);
    // Counted once: a second scrape adds nothing that did not happen.
    const again = await ctx.metrics.registry.getSingleMetricAsString('foyer_radius_packets_total');
    assert.equal(count(again, 'port="auth",type="Access-Request",result="reject"'), rejects);
  });

  it('MAC authentication of a remembered device over UDP', async () => {
    const { venue } = await venueWithNas(ctx, 'cafe');
    const g = await guestGrant(ctx, venue, { mac: 'aa:bb:cc:00:00:01' });
    const r = await ask(server.authPort, 'Access-Request', [
      ['User-Name', 'AA-BB-CC-00-00-01'],
      ['User-Password', 'AA-BB-CC-00-00-01'],
      ['NAS-IP-Address', '127.0.0.1'],
      ['Calling-Station-Id', 'AA-BB-CC-00-00-01'],
    ]);
    assert.equal(r.decoded.code, 'Access-Accept');
    assert.equal(((r.decoded.attributes as Record<string, unknown>)['Class'] as Buffer).toString(), g.id);
  });

  // Issue 14: a guest's RADIUS credentials travel in the hand-back; whoever lifts them must
  // not get online with them from another device, when the grant names the guest's device
  // and the NAS says which device is asking.
  it("credentials bound to the device: PAP and CHAP from another Calling-Station-Id are rejected, from the guest's own accepted", async () => {
    const { venue } = await venueWithNas(ctx, 'cafe');
    const g = await guestGrant(ctx, venue, { mac: 'aa:bb:cc:00:00:02' });
    const pap = (station: string) =>
      [
        ['User-Name', g.username],
        ['User-Password', g.password],
        ['NAS-IP-Address', '127.0.0.1'],
        ['Calling-Station-Id', station],
      ] as [string, unknown][];
    const chap = (station: string): [string, unknown][] => {
      const challenge = randomBytes(16);
      const response = createHash('md5')
        .update(Buffer.concat([Buffer.from([9]), Buffer.from(g.password), challenge]))
        .digest();
      return [
        ['User-Name', g.username],
        ['CHAP-Password', Buffer.concat([Buffer.from([9]), response])],
        ['CHAP-Challenge', challenge],
        ['NAS-IP-Address', '127.0.0.1'],
        ['Calling-Station-Id', station],
      ];
    };
    for (const [method, attrs] of [
      ['PAP', pap],
      ['CHAP', chap],
    ] as const) {
      const stranger = await ask(server.authPort, 'Access-Request', attrs('AA-BB-CC-00-00-99'));
      assert.equal(
        stranger.decoded.code,
        'Access-Reject',
        `${method} with the guest's credentials from another device`,
      );
      const own = await ask(server.authPort, 'Access-Request', attrs('aa:bb:cc:00:00:02'));
      assert.equal(own.decoded.code, 'Access-Accept', `${method} from the guest's own device`);
    }
    // A NAS that does not say which device asks (no Calling-Station-Id) is not refused for it.
    const silent = await ask(server.authPort, 'Access-Request', [
      ['User-Name', g.username],
      ['User-Password', g.password],
      ['NAS-IP-Address', '127.0.0.1'],
    ]);
    assert.equal(silent.decoded.code, 'Access-Accept');
    const why = await ctx.db.get<{ reason: string }>('SELECT reason FROM access_rejects WHERE key = ?', [
      'mac:aa:bb:cc:00:00:99',
    ]);
    assert.equal(why?.reason, 'other_device');
  });

  // A new identifier each time (request()): a resent packet would be answered from the duplicate cache.
  const statusServer = (secret: string) =>
    radius.encode({
      code: 'Status-Server',
      secret,
      identifier: ++id % 256,
      attributes: [],
      add_message_authenticator: true,
    });

  /** Whether 127.0.0.1 is answered within a second (the directory's own TTL is 5 s): a packet after the write starts its reload. */
  async function answeredSoon(secret: string, want: boolean): Promise<boolean> {
    const until = Date.now() + 1000;
    let answered: boolean;
    do answered = Boolean(await exchange(statusServer(secret), server.authPort, '127.0.0.1', 150));
    while (answered !== want && Date.now() < until);
    return answered;
  }

  it('answers a NAS added a moment ago within a second, and forgets one removed as soon', async () => {
    const venue = (await venueWithNas(ctx, 'cafe', {}, '127.0.0.9')).venue;
    // The directory is loaded now, without 127.0.0.1: a packet from it goes unanswered.
    assert.equal(await exchange(statusServer('added-secret-123'), server.authPort, '127.0.0.1', 500), undefined);
    await addNas(ctx.db, ctx.cipher, {
      name: 'new-ap',
      address: '127.0.0.1',
      secret: 'added-secret-123',
      vendor: 'generic',
      venueId: venue.id,
    });
    assert.equal(
      await answeredSoon('added-secret-123', true),
      true,
      'the new NAS is answered long before the directory TTL',
    );
    assert.ok(await removeNas(ctx.db, 'new-ap'));
    assert.equal(await answeredSoon('added-secret-123', false), false, 'a removed NAS is no longer answered');
  });
});
