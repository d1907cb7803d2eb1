// Meraki, Cisco, Aruba and pfSense: the guest's browser posts a login form to the
// controller, which then sends the Access-Request.
import assert from 'node:assert/strict';
import { aruba } from '../../portal/access-points/aruba.ts';
import { cisco } from '../../portal/access-points/cisco.ts';
import { meraki } from '../../portal/access-points/meraki.ts';
import { pfsense } from '../../portal/access-points/pfsense.ts';
import { HandoffError, type HandBack } from '../../portal/access-points/handoff.ts';
import { accessRequestFor } from '../../portal/access-points/nas-request.ts';

const creds = { username: 'g-42', password: 'pw-42' };
const query = (qs: string) => Object.fromEntries(new URLSearchParams(qs));
const form = (b: HandBack) => {
  assert.equal(b.kind, 'form');
  return b as Extract<HandBack, { kind: 'form' }>;
};

describe('access points: Meraki', () => {
  const SIGN_ON =
    'login_url=https%3A%2F%2Fn143.network-auth.com%2Fsplash%2Flogin%3Fmauth%3DMMabc&continue_url=http%3A%2F%2Fexample.com%2F' +
    '&ap_mac=00:18:0a:01:02:03&ap_name=Lobby%20AP&ap_tags=lobby%20floor1&client_mac=f2:11:22:33:44:55&client_ip=10.0.5.9';
  const CLICK =
    'base_grant_url=https%3A%2F%2Fn143.network-auth.com%2Fsplash%2Fgrant&user_continue_url=http%3A%2F%2Fexample.com%2F' +
    '&node_id=123456&node_mac=00:18:0a:01:02:03&gateway_id=123456&client_ip=10.0.5.9&client_mac=f2:11:22:33:44:55';

  it('sign-on: reads the splash parameters and posts username, password and success_url to login_url', async () => {
    const q = query(SIGN_ON);
    assert.ok(meraki.detect(q));
    const h = meraki.parse(q, {});
    assert.equal(h.loginUrl, 'https://n143.network-auth.com/splash/login?mauth=MMabc');
    assert.equal(h.clientMac, 'f2:11:22:33:44:55');
    assert.equal(h.clientMacPrivate, true);
    assert.equal(h.apMac, '00:18:0a:01:02:03');
    assert.equal(h.nasId, 'Lobby AP');
    assert.equal(h.extra.ap_tags, 'lobby floor1');
    const f = form(await meraki.handBack(h, creds, {}));
    assert.equal(f.action, h.loginUrl);
    assert.equal(f.method, 'POST');
    assert.deepEqual(f.fields, { username: 'g-42', password: 'pw-42', success_url: 'http://example.com/' });
    const req = accessRequestFor(h, f)!;
    assert.deepEqual([req.method, req.userName, req.userPassword], ['pap', 'g-42', 'pw-42']);
  });

  it('click-through: redirects to base_grant_url with continue_url and duration', async () => {
    const q = query(CLICK);
    assert.ok(meraki.detect(q));
    const h = meraki.parse(q, {});
    const b = await meraki.handBack(h, creds, { grant: { minutes: 90 } });
    assert.equal(b.kind, 'redirect');
    const u = new URL((b as { url: string }).url);
    assert.equal(u.origin + u.pathname, 'https://n143.network-auth.com/splash/grant');
    assert.equal(u.searchParams.get('continue_url'), 'http://example.com/');
    assert.equal(u.searchParams.get('duration'), '5400');
    assert.equal(accessRequestFor(h, b), undefined);
  });

  it('refuses a missing or non-http login_url', () => {
    assert.throws(() => meraki.parse(query(SIGN_ON.replace(/login_url=[^&]+&/, '')), {}), HandoffError);
    assert.throws(
      () => meraki.parse(query(SIGN_ON.replace(/login_url=[^&]+/, 'login_url=javascript%3Aalert(1)')), {}),
      HandoffError,
    );
  });
});

describe('access points: Cisco WLC / Catalyst 9800', () => {
  const REDIRECT =
    'switch_url=https%3A%2F%2F192.0.2.1%2Flogin.html&ap_mac=00:3a:7d:11:22:33&client_mac=3c:22:fb:aa:bb:cc&wlan=Cafe%20Guest&redirect=http%3A%2F%2Fexample.com%2F';

  it('reads the web-auth redirect and posts buttonClicked=4 to switch_url', async () => {
    const q = query(REDIRECT);
    assert.ok(cisco.detect(q));
    const h = cisco.parse(q, {});
    assert.equal(h.loginUrl, 'https://192.0.2.1/login.html');
    assert.equal(h.clientMac, '3c:22:fb:aa:bb:cc');
    assert.equal(h.apMac, '00:3a:7d:11:22:33');
    assert.equal(h.ssid, 'Cafe Guest');
    const f = form(await cisco.handBack(h, creds, {}));
    assert.equal(f.action, 'https://192.0.2.1/login.html');
    assert.equal(f.fields.buttonClicked, '4');
    assert.equal(f.fields.err_flag, '0');
    assert.equal(f.fields.redirect_url, 'http://example.com/');
    assert.equal(f.fields.username, 'g-42');
    assert.equal(f.fields.password, 'pw-42');
    assert.equal(accessRequestFor(h, f)!.userPassword, 'pw-42');
  });

  it('records the statusCode of a failed attempt', () => {
    const h = cisco.parse(query(`${REDIRECT}&statusCode=5`), {});
    assert.equal(h.extra.statusCode, '5');
    assert.equal(h.extra.status, 'invalid user name or password');
  });

  it('refuses a bad switch_url or AP MAC', () => {
    assert.throws(
      () => cisco.parse(query(REDIRECT.replace(/switch_url=[^&]+/, 'switch_url=file%3A%2F%2F%2Fetc')), {}),
      HandoffError,
    );
    assert.throws(() => cisco.parse(query(REDIRECT.replace('00:3a:7d:11:22:33', 'xx')), {}), HandoffError);
  });
});

describe('access points: Aruba', () => {
  const INSTANT =
    'cmd=login&mac=34:02:86:c6:d2:3e&essid=guest-ecp&ip=192.0.2.10&apname=9c:1c:12:cb:a2:90&apmac=9c:1c:12:cb:a2:90&vcname=instant-C8:1D:DA&switchip=securelogin.arubanetworks.com&url=http%3A%2F%2Fwww.example.com%2F';
  const INSTANT_ON =
    'cmd=login&mac=34:02:86:c6:d2:3e&ip=192.0.2.10&network=Cafe&apmac=9c:1c:12:cb:a2:90&site=Cafe%20Central&post=captiveportal-login.arubainstanton.com&url=http%3A%2F%2Fwww.example.com%2F';

  it('Instant: posts user, password and cmd=authenticate to https://switchip/cgi-bin/login', async () => {
    const q = query(INSTANT);
    assert.ok(aruba.detect(q));
    const h = aruba.parse(q, {});
    assert.equal(h.clientMac, '34:02:86:c6:d2:3e');
    assert.equal(h.ssid, 'guest-ecp');
    assert.equal(h.nasId, 'instant-C8:1D:DA');
    assert.equal(h.loginUrl, 'https://securelogin.arubanetworks.com/cgi-bin/login');
    const f = form(await aruba.handBack(h, creds, {}));
    assert.deepEqual(f.fields, {
      cmd: 'authenticate',
      user: 'g-42',
      password: 'pw-42',
      Login: 'Log In',
      url: 'http://www.example.com/',
    });
    assert.equal(accessRequestFor(h, f)!.userName, 'g-42');
  });

  it('Instant On: posts to the host named by post', () => {
    const h = aruba.parse(query(INSTANT_ON), {});
    assert.equal(h.loginUrl, 'https://captiveportal-login.arubainstanton.com/cgi-bin/login');
    assert.equal(h.ssid, 'Cafe');
    assert.equal(h.nasId, 'Cafe Central');
  });

  it('refuses a login host that is not a host', () => {
    assert.throws(
      () =>
        aruba.parse(
          query(INSTANT.replace('switchip=securelogin.arubanetworks.com', 'switchip=evil.example%2F%3F')),
          {},
        ),
      HandoffError,
    );
    assert.throws(
      () => aruba.parse(query(INSTANT.replace('&switchip=securelogin.arubanetworks.com', '')), {}),
      HandoffError,
    );
  });
});

describe('access points: pfSense', () => {
  const FORWARDED =
    'portal_action=https%3A%2F%2F192.168.1.1%3A8003%2Findex.php%3Fzone%3Dguest&redirurl=http%3A%2F%2Fexample.com%2F&zone=guest&clientmac=3c:22:fb:00:00:09&clientip=192.168.1.50';

  it('posts auth_user, auth_pass, zone, redirurl and accept=Login to $PORTAL_ACTION$', async () => {
    const q = query(FORWARDED);
    assert.ok(pfsense.detect(q));
    const h = pfsense.parse(q, {});
    assert.equal(h.loginUrl, 'https://192.168.1.1:8003/index.php?zone=guest');
    assert.equal(h.clientIp, '192.168.1.50');
    const f = form(await pfsense.handBack(h, creds, {}));
    assert.equal(f.action, 'https://192.168.1.1:8003/index.php?zone=guest');
    assert.deepEqual(f.fields, {
      auth_user: 'g-42',
      auth_pass: 'pw-42',
      zone: 'guest',
      redirurl: 'http://example.com/',
      accept: 'Login',
    });
    const req = accessRequestFor(h, f)!;
    assert.deepEqual([req.userName, req.userPassword], ['g-42', 'pw-42']);
  });

  it('refuses a bad zone or portal action', () => {
    assert.throws(() => pfsense.parse(query(FORWARDED.replace('zone=guest&', 'zone=..%2F&')), {}), HandoffError);
    assert.throws(
      () => pfsense.parse(query(FORWARDED.replace(/portal_action=[^&]+/, 'portal_action=%24PORTAL_ACTION%24')), {}),
      HandoffError,
    );
  });
});
