import assert from 'node:assert/strict';
import { unifi } from '../../portal/access-points/unifi.ts';
import { UnifiController } from '../../portal/access-points/unifi-controller.ts';
import { HandoffError } from '../../portal/access-points/handoff.ts';
import { ControllerClients } from '../../portal/access-points/controller-clients.ts';
import { json, localServer, type LocalServer } from './local-server.ts';

const REDIRECT = {
  id: 'da:a1:19:aa:bb:cc',
  ap: '78:8a:20:01:02:03',
  t: '1717171717',
  url: 'http://example.com/',
  ssid: 'Cafe Guest',
};

/** The classic self-hosted controller: /api/login sets unifises and csrf_token. */
async function classicController(): Promise<LocalServer> {
  return localServer((req, res) => {
    if (req.path === '/api/auth/login') return json(res, 404, {});
    if (req.path === '/api/login') {
      const b = JSON.parse(req.body) as { username: string; password: string };
      if (b.username !== 'foyer' || b.password !== 'pw')
        return json(res, 400, { meta: { rc: 'error', msg: 'api.err.Invalid' }, data: [] });
      return json(
        res,
        200,
        { meta: { rc: 'ok' }, data: [] },
        { 'set-cookie': ['unifises=abc123; Path=/; HttpOnly', 'csrf_token=tok456; Path=/'] },
      );
    }
    if (req.path === '/api/s/cafe/cmd/stamgr') {
      if (!String(req.headers.cookie).includes('unifises=abc123'))
        return json(res, 401, { meta: { rc: 'error', msg: 'api.err.LoginRequired' }, data: [] });
      if (req.headers['x-csrf-token'] !== 'tok456')
        return json(res, 403, { meta: { rc: 'error', msg: 'api.err.InvalidCSRF' }, data: [] });
      const b = JSON.parse(req.body) as { cmd: string; mac: string };
      return json(res, 200, { meta: { rc: 'ok' }, data: [{ _id: 'g1', mac: b.mac, authorized_by: 'api' }] });
    }
    json(res, 404, { meta: { rc: 'error', msg: 'api.err.NotFound' }, data: [] });
  });
}

/** A UniFi OS console: TOKEN cookie, X-CSRF-Token header, Network app under /proxy/network. */
async function unifiOsConsole(): Promise<LocalServer> {
  let sessions = 0;
  return localServer((req, res) => {
    if (req.path === '/api/auth/login') {
      sessions++;
      return json(
        res,
        200,
        { username: 'foyer' },
        { 'set-cookie': [`TOKEN=jwt${sessions}; Path=/; HttpOnly; Secure`], 'x-csrf-token': `csrf${sessions}` },
      );
    }
    if (req.path === '/proxy/network/api/s/default/cmd/stamgr') {
      // The first session "expires" to exercise the re-login.
      if (req.headers.cookie !== 'TOKEN=jwt2' || req.headers['x-csrf-token'] !== 'csrf2')
        return json(res, 401, { error: { code: 401 } });
      return json(res, 200, { meta: { rc: 'ok' }, data: [{ mac: JSON.parse(req.body).mac }] });
    }
    json(res, 404, {});
  });
}

describe('access points: UniFi', () => {
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads the external-portal redirect', () => {
    assert.ok(unifi.detect(REDIRECT));
    const h = unifi.parse(REDIRECT, {});
    assert.equal(h.clientMac, 'da:a1:19:aa:bb:cc');
    assert.equal(h.clientMacPrivate, true);
    assert.equal(h.apMac, '78:8a:20:01:02:03');
    assert.equal(h.ssid, 'Cafe Guest');
    assert.equal(h.originalUrl, 'http://example.com/');
    assert.equal(h.extra.t, '1717171717');
  });

  it('authorises the guest on a classic controller with cookie and CSRF token, then is done', async () => {
    server = await classicController();
    const h = unifi.parse(REDIRECT, {});
    const ctx = {
      controller: { url: server.url, username: 'foyer', password: 'pw', site: 'cafe' },
      grant: { minutes: 120, upKbps: 2000, downKbps: 10000, megabytes: 1024 },
    };
    const back = await unifi.handBack(h, { username: 'u', password: 'p' }, ctx);
    assert.deepEqual(back, { kind: 'done', url: 'http://example.com/' });
    const cmd = server.seen.find((s) => s.path === '/api/s/cafe/cmd/stamgr')!;
    assert.equal(cmd.method, 'POST');
    assert.deepEqual(JSON.parse(cmd.body), {
      cmd: 'authorize-guest',
      mac: 'da:a1:19:aa:bb:cc',
      minutes: 120,
      up: 2000,
      down: 10000,
      bytes: 1024,
      ap_mac: '78:8a:20:01:02:03',
    });
    assert.match(String(cmd.headers['content-type']), /application\/json/);
  });

  // Issue 17: the logged-in clients live in a pool made per process (buildContext), not in
  // module scope, so one test's (or context's) login is never another's.
  it('logs in once per controller within the pool it is given, and anew in another pool or without one', async () => {
    server = await classicController();
    const h = unifi.parse(REDIRECT, {});
    const controller = { url: server.url, username: 'foyer', password: 'pw', site: 'cafe' };
    const logins = () => server!.seen.filter((s) => s.path === '/api/login').length;
    const pool = new ControllerClients();
    await unifi.handBack(h, { username: 'u', password: 'p' }, { controller, controllerClients: pool });
    await unifi.handBack(h, { username: 'u', password: 'p' }, { controller, controllerClients: pool });
    assert.equal(logins(), 1);
    await unifi.handBack(
      h,
      { username: 'u', password: 'p' },
      { controller, controllerClients: new ControllerClients() },
    );
    assert.equal(logins(), 2);
    await unifi.handBack(h, { username: 'u', password: 'p' }, { controller });
    assert.equal(logins(), 3);
    assert.equal(server.seen.filter((s) => s.path === '/api/s/cafe/cmd/stamgr').length, 4);
  });

  it('logs in to UniFi OS, and again when the session has expired', async () => {
    server = await unifiOsConsole();
    const c = new UnifiController({ url: server.url, username: 'foyer', password: 'pw' });
    await c.login(); // session 1, which the console then rejects
    const data = await c.authorizeGuest({ mac: 'AA:BB:CC:DD:EE:FF', limits: { minutes: 30 } });
    assert.equal(data.mac, 'aa:bb:cc:dd:ee:ff');
    assert.equal(server.seen.filter((s) => s.path === '/api/auth/login').length, 2);
  });

  it("turns refusals into HandoffError with the controller's reason", async () => {
    server = await classicController();
    const h = unifi.parse(REDIRECT, {});
    await assert.rejects(
      unifi.handBack(
        h,
        { username: 'u', password: 'p' },
        { controller: { url: server.url, username: 'foyer', password: 'bad', site: 'cafe' } },
      ),
      HandoffError,
    );
    await assert.rejects(unifi.handBack(h, { username: 'u', password: 'p' }, {}), /no UniFi controller/);
  });

  it('refuses a redirect without a usable client MAC', () => {
    assert.throws(() => unifi.parse({ ...REDIRECT, id: 'nonsense' }, {}), HandoffError);
    assert.throws(() => unifi.parse({ ap: REDIRECT.ap, t: '1' }, {}), HandoffError);
    assert.throws(() => new UnifiController({ url: 'http://x', site: '../evil' }), /site/);
  });
});
