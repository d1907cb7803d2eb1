// Issue 5, per vendor: the redirect in the vendor's documented form → the real guest flow
// over HTTP (screen 1, the code from the outbox, screen 2) → the hand-back Foyer answers
// with → the Access-Request that vendor's NAS builds from it (nas-request.ts), sent over
// real UDP to Foyer's RADIUS → Access-Accept with that vendor's attributes. Vendors told
// through an API (UniFi, Ruckus NBI, OPNsense) end at a local server speaking that API;
// openNDS ends at its gateway's auth URL or the authmon queue.
import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { radiusLogin, type RadiusAnswer, type RadiusTarget } from '../support/sim-nas.ts';
import { Browser, formFields, lastCode, makeVenue } from '../guest/helpers.ts';
import { json, localServer, type LocalServer, type Seen } from './local-server.ts';
import { addNas, type nasInput } from '../../portal/access/nas-clients.ts';
import { startRadius, type RadiusService } from '../../portal/radius-main.ts';
import { adapterFor } from '../../portal/access-points/index.ts';
import type { HandBack } from '../../portal/access-points/handoff.ts';
import { accessRequestFor } from '../../portal/access-points/nas-request.ts';
import { CODE } from '../../radius/codec.ts';
import type { z } from 'zod';

const SECRET = 'round-trip-radius-secret';
const SESSION = { durationMinutes: 60, upKbps: 2000, downKbps: 8000, dataCapMb: 500 };
const FASKEY = 'c775e7b757ede630cd0aa1113bd102661ab38829ca52a6422ab782862f268646';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const enc = encodeURIComponent;

/** openNDS's PHP: base64(openssl_encrypt($s, 'aes-256-cbc', $faskey, 0, $iv)). */
function fasLevel2(list: string, key: string): string {
  const iv = randomBytes(8).toString('hex');
  const k = Buffer.alloc(32);
  Buffer.from(key).copy(k, 0, 0, 32);
  const c = createCipheriv('aes-256-cbc', k, Buffer.from(iv));
  return `fas=${enc(Buffer.from(Buffer.concat([c.update(list), c.final()]).toString('base64')).toString('base64'))}&iv=${iv}`;
}

const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The hand-back as the guest's browser meets it: a redirect away from Foyer, or the form page. */
function handBackOf(res: { status: number; html: string; location: string | null }): HandBack {
  if ((res.status === 303 || res.status === 302) && res.location && !res.location.startsWith('/'))
    return { kind: 'redirect', url: res.location };
  if ((res.status === 303 || res.status === 302) && res.location?.includes('/online')) return { kind: 'done' };
  const m = /<form method="(get|post)" action="([^"]+)">([\s\S]*?)<\/form>/.exec(res.html);
  if (!m) throw new Error(`no hand-back in a ${res.status} answer:\n${res.html.slice(0, 2000)}`);
  const fields: Record<string, string> = {};
  for (const f of m[3].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[unescape(f[1])] = unescape(f[2]);
  return { kind: 'form', method: m[1].toUpperCase() as 'GET' | 'POST', action: unescape(m[2]), fields };
}

type NasSettings = Partial<z.input<typeof nasInput>>;

describe('access points: round trip per vendor (redirect → guest flow → hand-back → RADIUS)', function () {
  this.timeout(30_000);
  let ctx: TestContext;
  let srv: TestServer;
  let radius: RadiusService;
  let unifiApi: LocalServer;
  let nbiApi: LocalServer;
  let opnApi: LocalServer;
  const targets = new Map<string, RadiusTarget>();
  let phone = 100;

  /** A venue per vendor, its NAS sending RADIUS from its own loopback address. */
  const SETUP: Array<{
    slug: string;
    nas: Array<NasSettings & { name: string; vendor: z.input<typeof nasInput>['vendor']; address: string }>;
  }> = [];

  before(async () => {
    ctx = await testContext();
    srv = await serve(ctx);
    unifiApi = await localServer((req, res) => {
      if (req.path === '/api/auth/login') return json(res, 404, {});
      if (req.path === '/api/login')
        return json(res, 200, { meta: { rc: 'ok' }, data: [] }, { 'set-cookie': ['unifises=s1; Path=/'] });
      if (req.path === '/api/s/lobby/cmd/stamgr' && String(req.headers.cookie).includes('unifises=s1'))
        return json(res, 200, { meta: { rc: 'ok' }, data: [{ mac: JSON.parse(req.body).mac }] });
      json(res, 404, { meta: { rc: 'error', msg: 'api.err.NotFound' }, data: [] });
    });
    nbiApi = await localServer((req, res) => {
      const b = JSON.parse(req.body || '{}');
      if (b.RequestPassword !== 'nbi-pw') return json(res, 200, { ResponseCode: 306 });
      if (b.RequestType === 'Login') return json(res, 200, { ResponseCode: 201, ReplyMessage: 'Login succeeded' });
      json(res, 200, { ResponseCode: 300 });
    });
    opnApi = await localServer((req, res) => {
      if (req.headers.authorization !== `Basic ${Buffer.from('opn-key:opn-secret').toString('base64')}`)
        return json(res, 401, {});
      if (req.path === '/api/captiveportal/session/connect/0')
        return json(res, 200, { clientState: 'AUTHORIZED', sessionId: 's1' });
      json(res, 404, {});
    });
    SETUP.push(
      {
        slug: 'rt-coovachilli',
        nas: [
          {
            name: 'chilli-a',
            vendor: 'coovachilli',
            address: '127.0.1.1',
            nasIdentifier: 'chilli-a',
            uamSecret: 'uam-a',
            loginHosts: ['10.1.0.1:3990'],
          },
          {
            name: 'chilli-b',
            vendor: 'coovachilli',
            address: '127.0.1.2',
            nasIdentifier: 'chilli-b',
            uamSecret: 'uam-b',
            authMethod: 'pap',
            loginHosts: ['10.2.0.1:3990'],
          },
        ],
      },
      {
        slug: 'rt-mikrotik',
        nas: [
          { name: 'mt', vendor: 'mikrotik', address: '127.0.1.3', nasIdentifier: 'rt-mt', loginHosts: ['10.5.50.1'] },
        ],
      },
      { slug: 'rt-meraki', nas: [{ name: 'meraki', vendor: 'meraki', address: '127.0.1.4' }] },
      { slug: 'rt-cisco', nas: [{ name: 'wlc', vendor: 'cisco', address: '127.0.1.5', loginHosts: ['192.0.2.1'] }] },
      { slug: 'rt-aruba', nas: [{ name: 'iap', vendor: 'aruba', address: '127.0.1.6' }] },
      {
        slug: 'rt-ruckus',
        nas: [{ name: 'sz', vendor: 'ruckus', address: '127.0.1.7', loginHosts: ['192.0.2.30:9997'] }],
      },
      {
        slug: 'rt-ruckus-nbi',
        nas: [
          {
            name: 'sz-nbi',
            vendor: 'ruckus',
            address: '127.0.1.8',
            controllerUrl: `${nbiApi.url}/portalintf`,
            controllerPassword: 'nbi-pw',
          },
        ],
      },
      {
        slug: 'rt-pfsense',
        nas: [{ name: 'pf', vendor: 'pfsense', address: '127.0.1.9', loginHosts: ['192.168.1.1:8003'] }],
      },
      {
        slug: 'rt-opnsense',
        nas: [{ name: 'opn', vendor: 'opnsense', address: '127.0.1.10', loginHosts: ['https://192.168.1.1:8000/'] }],
      },
      {
        slug: 'rt-opnsense-api',
        nas: [
          {
            name: 'opn-api',
            vendor: 'opnsense',
            address: '127.0.1.11',
            controllerUrl: opnApi.url,
            controllerUser: 'opn-key',
            controllerPassword: 'opn-secret',
            controllerSite: '0',
          },
        ],
      },
      {
        slug: 'rt-unifi',
        nas: [
          {
            name: 'unifi',
            vendor: 'unifi',
            address: '127.0.1.12',
            controllerUrl: unifiApi.url,
            controllerUser: 'foyer',
            controllerPassword: 'pw',
            controllerSite: 'lobby',
          },
        ],
      },
      {
        slug: 'rt-opennds',
        nas: [
          {
            name: 'nds',
            vendor: 'opennds',
            address: '127.0.1.13',
            nasIdentifier: 'Cafe%20Central',
            uamSecret: FASKEY,
            loginHosts: ['192.168.8.1:2050'],
          },
        ],
      },
      {
        slug: 'rt-authmon',
        nas: [{ name: 'nds3', vendor: 'opennds', address: '127.0.0.1', uamSecret: FASKEY, authmon: true }],
      },
      { slug: 'rt-generic', nas: [{ name: 'gw', vendor: 'generic', address: '127.0.1.14', loginHosts: ['10.0.0.1'] }] },
    );
    for (const s of SETUP) {
      const venue = await makeVenue(ctx, s.slug, { session: SESSION });
      for (const n of s.nas) {
        await addNas(ctx.db, ctx.cipher, { ...n, secret: SECRET, venueId: venue.id });
        targets.set(n.name, { host: '127.0.0.1', authPort: 0, acctPort: 0, secret: SECRET, source: n.address });
      }
    }
    radius = await startRadius(ctx, { authPort: 0, acctPort: 0, host: '127.0.0.1' });
    for (const t of targets.values()) Object.assign(t, { authPort: radius.authPort, acctPort: radius.acctPort });
  });
  after(async () => {
    await radius?.stop();
    for (const s of [unifiApi, nbiApi, opnApi]) await s?.close();
    await srv?.close();
    await ctx?.cleanup();
  });

  /** A guest from the redirect to the answer to a correct code (the hand-back). */
  async function signUp(path: string): Promise<{ status: number; html: string; location: string | null }> {
    const b = new Browser(srv.url);
    let res = await b.get(path);
    while (res.status === 302 && res.location?.startsWith('/')) res = await b.get(res.location);
    assert.equal(res.status, 200, `screen 1 for ${path}: ${res.html.slice(0, 500)}`);
    const slug = /^\/p\/([a-z0-9-]+)/.exec(
      new URL(res.html.match(/action="([^"]*\/start)"/)![1], srv.url).pathname,
    )![1];
    res = await b.post(`/p/${slug}/start`, {
      ...formFields(res.html, '/start'),
      phone: `0888300${phone++}`,
      consent_terms: 'yes',
    });
    assert.equal(res.status, 303, res.html.slice(0, 500));
    res = await b.get(res.location!);
    return b.post(`/p/${slug}/code`, { ...formFields(res.html, '/code'), code: lastCode(ctx) });
  }

  /** The vendor's NAS sends what the hand-back gave it; Foyer must accept it. */
  async function nasLogin(
    vendor: string,
    query: string,
    back: HandBack,
    nasName: string,
    uamSecret?: string,
  ): Promise<RadiusAnswer> {
    const q = Object.fromEntries(new URLSearchParams(query));
    const h = adapterFor(vendor)!.parse(q, { uamSecret });
    const req = accessRequestFor(h, back, { uamSecret });
    assert.ok(req, `${vendor} hand-back leads to an Access-Request`);
    const answer = await radiusLogin(targets.get(nasName)!, req);
    assert.equal(answer.code, CODE.AccessAccept, JSON.stringify(answer.attributes));
    const timeout = Number(answer.attributes['Session-Timeout']);
    assert.ok(timeout > 3500 && timeout <= 3600, `Session-Timeout ${timeout}`);
    return answer;
  }

  const vsa = (a: RadiusAnswer) => (a.attributes['Vendor-Specific'] ?? {}) as Record<string, unknown>;
  const chilli = (nasid: string, uamip: string) =>
    `res=notyet&uamip=${uamip}&uamport=3990&challenge=${randomBytes(16).toString('hex')}&called=00-0D-B9-11-22-33&mac=DA-A1-19-12-34-${nasid.slice(-1) === 'a' ? '5a' : '5b'}` +
    `&ip=10.1.0.7&nasid=${nasid}&sessionid=5c7a3e0d00000001&ssid=Cafe%20Guest&userurl=${enc('http://example.com/news')}`;

  it('CoovaChilli, CHAP with uamsecret: the NAS named by nasid, its secret, Access-Accept with WISPr and ChilliSpot limits', async () => {
    const qs = chilli('chilli-a', '10.1.0.1');
    const back = handBackOf(await signUp(`/p/rt-coovachilli?${qs}`));
    assert.equal(back.kind, 'redirect');
    assert.ok(new URL((back as { url: string }).url).searchParams.get('response'), 'CHAP response');
    const a = await nasLogin('coovachilli', qs, back, 'chilli-a', 'uam-a');
    assert.equal(vsa(a)['WISPr-Bandwidth-Max-Up'], 2_000_000);
    assert.equal(vsa(a)['ChilliSpot-Bandwidth-Max-Down'], 8000);
    assert.equal(vsa(a)['ChilliSpot-Max-Total-Octets'], 500 * 1024 * 1024);
  });

  it('CoovaChilli, PAP: a second NAS of the venue picked by its nasid, its own secret and method', async () => {
    const qs = chilli('chilli-b', '10.2.0.1');
    const back = handBackOf(await signUp(`/p/rt-coovachilli?${qs}`));
    const u = new URL((back as { url: string }).url);
    assert.ok(u.searchParams.get('password') && !u.searchParams.get('response'), 'PAP password');
    await nasLogin('coovachilli', qs, back, 'chilli-b', 'uam-b');
  });

  it('MikroTik: octal chap-id/chap-challenge, form POST to link-login-only, CHAP accepted with Mikrotik-Rate-Limit', async () => {
    const chal = randomBytes(16);
    const octal = (b: Buffer) => [...b].map((x) => `\\${x.toString(8).padStart(3, '0')}`).join('');
    const qs =
      `mac=3C:22:FB:00:00:01&ip=10.5.50.9&username=&link-login-only=${enc('http://10.5.50.1/login')}&link-orig=${enc('http://example.com/')}` +
      `&chap-id=${enc(octal(Buffer.from([0o42])))}&chap-challenge=${enc(octal(chal))}&identity=rt-mt&server-name=hotspot1&interface-name=wlan1`;
    const back = handBackOf(await signUp(`/p/rt-mikrotik?${qs}`));
    assert.deepEqual([back.kind, (back as { action: string }).action], ['form', 'http://10.5.50.1/login']);
    const a = await nasLogin('mikrotik', qs, back, 'mt');
    assert.equal(vsa(a)['Mikrotik-Rate-Limit'], '2000k/8000k');
    assert.equal(vsa(a)['Mikrotik-Total-Limit'], 500 * 1024 * 1024);
  });

  it('Meraki sign-on: POST to login_url on network-auth.com (no login host needed), PAP accepted', async () => {
    const qs = `login_url=${enc('https://n143.network-auth.com/splash/login?mauth=MMabc')}&continue_url=${enc('http://example.com/')}&ap_mac=00:18:0a:11:22:33&ap_name=Lobby&ap_tags=cafe&client_mac=3c:22:fb:00:00:02&client_ip=10.0.0.5`;
    const back = handBackOf(await signUp(`/p/rt-meraki?${qs}`));
    assert.equal((back as { action: string }).action, 'https://n143.network-auth.com/splash/login?mauth=MMabc');
    await nasLogin('meraki', qs, back, 'meraki');
  });

  it("Meraki click-through: sent to base_grant_url with the venue's duration", async () => {
    const qs = `base_grant_url=${enc('https://n143.network-auth.com/splash/grant')}&user_continue_url=${enc('http://example.com/')}&node_mac=00:18:0a:11:22:33&client_ip=10.0.0.6&client_mac=3c:22:fb:00:00:03`;
    const back = handBackOf(await signUp(`/p/rt-meraki?${qs}`));
    const u = new URL((back as { url: string }).url);
    assert.equal(u.origin + u.pathname, 'https://n143.network-auth.com/splash/grant');
    assert.equal(u.searchParams.get('duration'), '3600');
    assert.equal(
      accessRequestFor(adapterFor('meraki')!.parse(Object.fromEntries(new URLSearchParams(qs)), {}), back),
      undefined,
    );
  });

  it('Cisco WLC: buttonClicked=4 to switch_url, PAP accepted with Airespace contracts', async () => {
    const qs = `switch_url=${enc('https://192.0.2.1/login.html')}&ap_mac=00:3a:7d:11:22:33&client_mac=3c:22:fb:00:00:04&wlan=Cafe%20Guest&redirect=${enc('http://example.com/')}`;
    const back = handBackOf(await signUp(`/p/rt-cisco?${qs}`));
    assert.equal((back as { fields: Record<string, string> }).fields.buttonClicked, '4');
    const a = await nasLogin('cisco', qs, back, 'wlc');
    assert.equal(vsa(a)['Airespace-Data-Bandwidth-Average-Contract'], 8000);
  });

  it('Aruba Instant: user/password to securelogin.arubanetworks.com, PAP accepted', async () => {
    const qs = `cmd=login&mac=3c:22:fb:00:00:05&essid=guest&ip=192.0.2.10&apname=lobby-ap&apmac=9c:1c:12:cb:a2:90&vcname=instant-C8&switchip=securelogin.arubanetworks.com&url=${enc('http://www.example.com/')}`;
    const back = handBackOf(await signUp(`/p/rt-aruba?${qs}`));
    assert.equal((back as { action: string }).action, 'https://securelogin.arubanetworks.com/cgi-bin/login');
    await nasLogin('aruba', qs, back, 'iap');
  });

  it('Ruckus WISPr: form to the controller on :9997, PAP accepted with WISPr limits', async () => {
    const qs = `sip=192.0.2.30&mac=00:33:58:11:22:33&client_mac=3c:22:fb:00:00:06&uip=10.9.0.6&ssid=Cafe&zoneName=Cafe&url=${enc('http://example.com/')}`;
    const back = handBackOf(await signUp(`/p/rt-ruckus?${qs}`));
    assert.equal((back as { action: string }).action, 'http://192.0.2.30:9997/SubscriberPortal/hotspotlogin');
    const a = await nasLogin('ruckus', qs, back, 'sz');
    assert.equal(vsa(a)['WISPr-Bandwidth-Max-Down'], 8_000_000);
  });

  it('Ruckus NBI: the controller is told over its northbound API, then its Access-Request is accepted', async () => {
    const qs = `nbiIP=127.0.0.1&sip=192.0.2.31&mac=00:33:58:11:22:34&client_mac=ENC8fa1c2d3e4f50617&uip=ENC0a1b2c3d4e5f6071&ssid=Cafe&url=${enc('http://example.com/')}`;
    const before = nbiApi.seen.length;
    assert.deepEqual(handBackOf(await signUp(`/p/rt-ruckus-nbi?${qs}`)), { kind: 'done' });
    const login = nbiApi.seen
      .slice(before)
      .map((s: Seen) => JSON.parse(s.body))
      .find((b) => b.RequestType === 'Login');
    assert.ok(login, 'the NBI received the login');
    assert.deepEqual([login['UE-MAC'], login['UE-IP']], ['ENC8fa1c2d3e4f50617', 'ENC0a1b2c3d4e5f6071']);
    const answer = await radiusLogin(targets.get('sz-nbi')!, {
      userName: login['UE-Username'],
      userPassword: login['UE-Password'],
      nasIdentifier: 'Cafe',
    });
    assert.equal(answer.code, CODE.AccessAccept);
  });

  it('pfSense: auth_user/auth_pass to $PORTAL_ACTION$, PAP accepted', async () => {
    const qs = `portal_action=${enc('https://192.168.1.1:8003/index.php?zone=guest')}&redirurl=${enc('http://example.com/')}&zone=guest&clientmac=3c:22:fb:00:00:07&clientip=192.168.1.50`;
    const back = handBackOf(await signUp(`/p/rt-pfsense?${qs}`));
    assert.equal((back as { fields: Record<string, string> }).fields.zone, 'guest');
    await nasLogin('pfsense', qs, back, 'pf');
  });

  it("OPNsense without API key: the zone's own logon, PAP accepted", async () => {
    const qs = `zoneid=0&portal=${enc('https://192.168.1.1:8000/')}&redirurl=${enc('http://example.com/')}&clientmac=3c:22:fb:00:00:08&clientip=192.168.1.51`;
    const back = handBackOf(await signUp(`/p/rt-opnsense?${qs}`));
    assert.equal((back as { action: string }).action, 'https://192.168.1.1:8000/api/captiveportal/access/logon/0');
    await nasLogin('opnsense', qs, back, 'opn');
  });

  it("OPNsense with an API key: session/connect for the guest's address in the configured zone", async () => {
    const qs = `zoneid=0&redirurl=${enc('http://example.com/')}&clientmac=3c:22:fb:00:00:09&clientip=192.168.1.52`;
    const before = opnApi.seen.length;
    assert.deepEqual(handBackOf(await signUp(`/p/rt-opnsense-api?${qs}`)), { kind: 'done' });
    const call = opnApi.seen.slice(before).find((s) => s.path === '/api/captiveportal/session/connect/0');
    assert.ok(call, 'OPNsense was told');
    assert.equal(new URLSearchParams(call.body).get('ip'), '192.168.1.52');
    assert.match(new URLSearchParams(call.body).get('user')!, /^g-/);
  });

  it("UniFi: /guest/s/<site>/ finds the venue; the controller authorises the MAC with the grant's limits", async () => {
    const before = unifiApi.seen.length;
    const qs = `id=3c:22:fb:00:00:0a&ap=78:8a:20:11:22:33&t=1717171717&url=${enc('http://example.com/')}&ssid=Cafe`;
    assert.deepEqual(handBackOf(await signUp(`/guest/s/lobby/?${qs}`)), { kind: 'done' });
    const call = unifiApi.seen.slice(before).find((s) => s.path === '/api/s/lobby/cmd/stamgr');
    assert.ok(call, 'the controller was told');
    assert.deepEqual(JSON.parse(call.body), {
      cmd: 'authorize-guest',
      mac: '3c:22:fb:00:00:0a',
      minutes: 60,
      up: 2000,
      down: 8000,
      bytes: 500,
      ap_mac: '78:8a:20:11:22:33',
    });
  });

  it("openNDS FAS level 2: the encrypted fas read with the NAS's faskey, tok = sha256(hid . faskey) to the gateway", async () => {
    const list =
      'hid=f8a1c4e0b9d2, clientip=192.168.8.23, clientmac=04:15:52:6a:e4:ad, gatewayname=Cafe%20Central, gatewayaddress=192.168.8.1:2050, authdir=opennds_auth, originurl=http%3A%2F%2Fexample.com%2F, ';
    const back = handBackOf(await signUp(`/p/rt-opennds?${fasLevel2(list, FASKEY)}`));
    const u = new URL((back as { url: string }).url);
    assert.equal(u.origin + u.pathname, 'http://192.168.8.1:2050/opennds_auth/');
    assert.equal(u.searchParams.get('tok'), sha256(`f8a1c4e0b9d2${FASKEY}`));
  });

  it("openNDS FAS level 3: queued for authmon, collected by the gateway's POST to /p/<venue> with the grant's limits", async () => {
    const list =
      'hid=a1b2c3d4, clientip=192.168.9.23, clientmac=04:15:52:6a:e4:ae, gatewayname=Bar%20Gw, gatewayaddress=192.168.9.1:2050, authdir=opennds_auth, originurl=http%3A%2F%2Fexample.com%2F, ';
    assert.deepEqual(handBackOf(await signUp(`/p/rt-authmon?${fasLevel2(list, FASKEY)}`)), { kind: 'done' });
    const poll = (fields: Record<string, string>) =>
      fetch(`${srv.url}/p/rt-authmon`, { method: 'POST', body: new URLSearchParams(fields) });
    const res = await poll({
      auth_get: 'view',
      gatewayhash: sha256('Bar%20Gw'),
      payload: Buffer.from('none').toString('base64'),
    });
    assert.equal(res.status, 200);
    const lines = (await res.text()).split(' ').slice(1).map(decodeURIComponent);
    assert.deepEqual(lines, [`${sha256(`a1b2c3d4${FASKEY}`)} 60 2000 8000 500000 500000 foyer`]);
  });

  it('generic: credentials appended to login_url, PAP accepted with WISPr limits', async () => {
    const qs = `mac=3c:22:fb:00:00:0b&ip=10.0.0.11&nas=gw-1&login_url=${enc('http://10.0.0.1/login')}&url=${enc('http://example.com/')}`;
    const back = handBackOf(await signUp(`/p/rt-generic?${qs}`));
    const a = await nasLogin('generic', qs, back, 'gw');
    assert.equal(vsa(a)['WISPr-Bandwidth-Max-Up'], 2_000_000);
  });
});
