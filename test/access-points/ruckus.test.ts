import assert from 'node:assert/strict';
import { decryptRuckusHandoff, ruckus } from '../../portal/access-points/ruckus.ts';
import { HandoffError } from '../../portal/access-points/handoff.ts';
import { json, localServer, type LocalServer } from './local-server.ts';

const ENC_MAC = 'ENCb58960077a8dda598864608701fd5c1a';
const ENC_IP = 'ENC93ee4456a0378b6e0c8df0ea83416f46';
const REDIRECT = {
  nbiIP: '192.0.2.20',
  sip: 'sz.example.net',
  client_mac: ENC_MAC,
  uip: ENC_IP,
  mac: '2c:5d:93:11:22:33',
  ssid: 'Cafe Guest',
  wlanName: 'cafe-guest',
  zoneName: 'Cafe Central',
  url: 'http://example.com/',
  reason: 'Un-Auth-Captive',
  vlan: '10',
  proxy: '0',
};

/** A SmartZone NBI: JSON in, ResponseCode out. */
async function nbi(): Promise<LocalServer> {
  return localServer((req, res) => {
    if (req.path !== '/portalintf' || req.method !== 'POST') return json(res, 404, {});
    const b = JSON.parse(req.body) as Record<string, string>;
    if (b.RequestPassword !== 'nbi-pw')
      return json(res, 200, { ResponseCode: 306, ReplyMessage: 'Wrong request password' });
    if (b.APIVersion !== '1.0') return json(res, 200, { ResponseCode: 303, ReplyMessage: 'Version not supported' });
    if (b.RequestCategory === 'GetConfig' && b.RequestType === 'Decrypt') {
      const plain: Record<string, string> = { [ENC_MAC]: 'da:a1:19:00:00:07', [ENC_IP]: '10.20.0.7' };
      return plain[b.Data]
        ? json(res, 200, { ResponseCode: 200, ReplyMessage: 'OK', Data: plain[b.Data] })
        : json(res, 200, { ResponseCode: 300, ReplyMessage: 'Not found' });
    }
    if (b.RequestCategory === 'UserOnlineControl' && b.RequestType === 'Login') {
      if (b['UE-Password'] !== 'pw-9') return json(res, 200, { ResponseCode: 301, ReplyMessage: 'Login failed' });
      return json(res, 200, {
        ResponseCode: 201,
        ReplyMessage: 'Login succeeded',
        'UE-MAC': b['UE-MAC'],
        'UE-IP': b['UE-IP'],
      });
    }
    json(res, 200, { ResponseCode: 305, ReplyMessage: 'Category not supported' });
  });
}

describe('access points: Ruckus', () => {
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads the WISPr redirect, keeping encrypted client values for the NBI', () => {
    assert.ok(ruckus.detect(REDIRECT));
    const h = ruckus.parse(REDIRECT, {});
    assert.equal(h.clientMac, undefined);
    assert.equal(h.clientIp, undefined);
    assert.equal(h.extra.client_mac, ENC_MAC);
    assert.equal(h.extra.uip, ENC_IP);
    assert.equal(h.apMac, '2c:5d:93:11:22:33');
    assert.equal(h.nasId, 'Cafe Central');
    assert.equal(h.loginUrl, 'http://sz.example.net:9997/SubscriberPortal/hotspotlogin');
    assert.equal(h.originalUrl, 'http://example.com/');
  });

  it('reads plain client values when encryption is off', () => {
    const h = ruckus.parse({ ...REDIRECT, client_mac: '3C-22-FB-00-00-01', uip: '10.20.0.8' }, {});
    assert.equal(h.clientMac, '3c:22:fb:00:00:01');
    assert.equal(h.clientIp, '10.20.0.8');
  });

  it('logs the guest in over the NBI with the values as they came, then is done', async () => {
    server = await nbi();
    const h = ruckus.parse(REDIRECT, {});
    const ctx = { controller: { url: `${server.url}/portalintf`, password: 'nbi-pw' } };
    const back = await ruckus.handBack(h, { username: 'g-9', password: 'pw-9' }, ctx);
    assert.deepEqual(back, { kind: 'done', url: 'http://example.com/' });
    const body = JSON.parse(server.seen[0].body) as Record<string, string>;
    assert.deepEqual(body, {
      Vendor: 'ruckus',
      RequestPassword: 'nbi-pw',
      APIVersion: '1.0',
      RequestCategory: 'UserOnlineControl',
      RequestType: 'Login',
      'UE-IP': ENC_IP,
      'UE-MAC': ENC_MAC,
      'UE-Proxy': '0',
      'UE-Username': 'g-9',
      'UE-Password': 'pw-9',
    });
  });

  it('decrypts client MAC and IP through the NBI for the records', async () => {
    server = await nbi();
    const h = await decryptRuckusHandoff(ruckus.parse(REDIRECT, {}), {
      controller: { url: `${server.url}/portalintf`, password: 'nbi-pw' },
    });
    assert.equal(h.clientMac, 'da:a1:19:00:00:07');
    assert.equal(h.clientMacPrivate, true);
    assert.equal(h.clientIp, '10.20.0.7');
  });

  it('reports refusals and bad passwords as HandoffError', async () => {
    server = await nbi();
    const h = ruckus.parse(REDIRECT, {});
    await assert.rejects(
      ruckus.handBack(
        h,
        { username: 'g-9', password: 'wrong' },
        { controller: { url: `${server.url}/portalintf`, password: 'nbi-pw' } },
      ),
      /301 Login failed/,
    );
    await assert.rejects(
      ruckus.handBack(
        h,
        { username: 'g-9', password: 'pw-9' },
        { controller: { url: `${server.url}/portalintf`, password: 'bad' } },
      ),
      HandoffError,
    );
  });

  it('without an NBI password, posts to the WISPr login page', async () => {
    const h = ruckus.parse(REDIRECT, {});
    const back = await ruckus.handBack(h, { username: 'g-9', password: 'pw-9' }, {});
    assert.equal(back.kind, 'form');
    if (back.kind !== 'form') return;
    assert.equal(back.action, 'http://sz.example.net:9997/SubscriberPortal/hotspotlogin');
    assert.equal(back.fields.username, 'g-9');
    assert.equal(back.fields.password, 'pw-9');
  });

  it('refuses unusable redirects', () => {
    assert.throws(() => ruckus.parse({ ...REDIRECT, sip: 'evil/x', nbiIP: '192.0.2.20' }, {}), HandoffError);
    assert.throws(() => ruckus.parse({ client_mac: ENC_MAC, uip: ENC_IP }, {}), HandoffError);
    assert.throws(() => ruckus.parse({ ...REDIRECT, client_mac: 'ENCzz' }, {}), HandoffError);
  });
});
