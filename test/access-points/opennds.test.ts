import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { opennds } from '../../portal/access-points/opennds.ts';
import { HandoffError } from '../../portal/access-points/handoff.ts';
import { MemoryAuthmonStore, answerAuthmon } from '../../portal/access-points/opennds-authmon.ts';
import { accessRequestFor } from '../../portal/access-points/nas-request.ts';

const FASKEY = 'c775e7b757ede630cd0aa1113bd102661ab38829ca52a6422ab782862f268646';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** What openNDS's PHP one-liner does: base64(openssl_encrypt($s, 'aes-256-cbc', $key, 0, $iv)). */
function phpEncrypt(clear: string, key: string): { fas: string; iv: string } {
  const iv = sha256(randomBytes(8).toString('base64')).slice(0, 16);
  const k = Buffer.alloc(32);
  Buffer.from(key).copy(k, 0, 0, 32);
  const c = createCipheriv('aes-256-cbc', k, Buffer.from(iv));
  const opensslOut = Buffer.concat([c.update(clear), c.final()]).toString('base64');
  return { fas: Buffer.from(opensslOut).toString('base64'), iv };
}

const LIST =
  'hid=f8a1c4e0b9d2, clientip=192.168.8.23, clientmac=04:15:52:6a:e4:ad, client_type=cpd_can, gatewayname=Cafe%20Central, ' +
  'gatewayurl=http%3A%2F%2Fstatus.client, version=10.2.0, gatewayaddress=192.168.8.1:2050, gatewaymac=94:83:c4:00:11:22, ' +
  'authdir=opennds_auth, originurl=http%3A%2F%2Fexample.com%2Fhome, clientif=br-lan, themespec=/usr/lib/opennds/theme.sh, ';

describe('access points: openNDS', () => {
  it('level 0: reads authaction, tok and redir and hands the token back', async () => {
    const q = {
      authaction: 'http://192.168.8.1:2050/opennds_auth/',
      clientip: '192.168.8.23',
      gatewayname: 'Cafe',
      tok: '770bfe05',
      redir: 'http://example.com/',
    };
    assert.ok(opennds.detect(q));
    const h = opennds.parse(q, {});
    assert.equal(h.loginUrl, 'http://192.168.8.1:2050/opennds_auth/');
    const back = await opennds.handBack(h, { username: 'u', password: 'p' }, {});
    assert.equal(back.kind, 'redirect');
    const u = new URL((back as { url: string }).url);
    assert.equal(u.searchParams.get('tok'), '770bfe05');
    assert.equal(u.searchParams.get('redir'), 'http://example.com/');
  });

  it('level 1: hid in the clear; tok = sha256(hid . faskey)', async () => {
    const q = {
      hid: 'f8a1c4e0b9d2',
      gatewayname: 'Cafe',
      clientip: '192.168.8.23',
      gatewayaddress: '192.168.8.1:2050',
      redir: 'http://example.com/',
    };
    const h = opennds.parse(q, { uamSecret: FASKEY });
    const back = await opennds.handBack(h, { username: 'u', password: 'p' }, { uamSecret: FASKEY });
    const u = new URL((back as { url: string }).url);
    assert.equal(u.origin + u.pathname, 'http://192.168.8.1:2050/opennds_auth/');
    assert.equal(u.searchParams.get('tok'), sha256('f8a1c4e0b9d2' + FASKEY));
  });

  it('level 1 (current releases): base64 fas list', () => {
    const h = opennds.parse({ fas: Buffer.from(LIST).toString('base64') }, {});
    assert.equal(h.clientMac, '04:15:52:6a:e4:ad');
    assert.equal(h.clientIp, '192.168.8.23');
    assert.equal(h.nasId, 'Cafe Central');
    assert.equal(h.apMac, '94:83:c4:00:11:22');
    assert.equal(h.originalUrl, 'http://example.com/home');
    assert.equal(h.extra.level, '1');
  });

  it('levels 2/3: decrypts fas with the faskey and iv', async () => {
    const { fas, iv } = phpEncrypt(LIST, FASKEY);
    const q = { fas, iv };
    assert.ok(opennds.detect(q));
    const h = opennds.parse(q, { uamSecret: FASKEY });
    assert.equal(h.clientMac, '04:15:52:6a:e4:ad');
    assert.equal(h.clientMacPrivate, false);
    assert.equal(h.loginUrl, 'http://192.168.8.1:2050/opennds_auth/');
    assert.equal(h.extra.hid, 'f8a1c4e0b9d2');
    const back = await opennds.handBack(h, { username: 'u', password: 'p' }, { uamSecret: FASKEY });
    assert.equal(new URL((back as { url: string }).url).searchParams.get('tok'), sha256('f8a1c4e0b9d2' + FASKEY));
    assert.equal(accessRequestFor(h, back), undefined, 'openNDS sends no RADIUS');
  });

  it('a short faskey is NUL-padded as PHP does', () => {
    const { fas, iv } = phpEncrypt(LIST, '1234567890');
    assert.equal(opennds.parse({ fas, iv }, { uamSecret: '1234567890' }).clientIp, '192.168.8.23');
  });

  it('level 3 with authmon: queues the authorisation and authmon collects it', async () => {
    const store = new MemoryAuthmonStore();
    const { fas, iv } = phpEncrypt(LIST, FASKEY);
    const ctx = {
      uamSecret: FASKEY,
      pendingAuth: store,
      grant: { minutes: 60, upKbps: 1000, downKbps: 5000, megabytes: 500 },
    };
    const h = opennds.parse({ fas, iv }, ctx);
    const back = await opennds.handBack(h, { username: 'u', password: 'p' }, ctx);
    assert.deepEqual(back, { kind: 'done', url: 'http://example.com/home' });
    const gw = sha256('Cafe%20Central');
    const rh = sha256('f8a1c4e0b9d2' + FASKEY);
    const view = await answerAuthmon(
      { auth_get: 'view', gatewayhash: gw, payload: Buffer.from('none').toString('base64') },
      store,
    );
    assert.ok(view.startsWith('* '));
    const line = decodeURIComponent(view.slice(2));
    assert.equal(line, `${rh} 60 1000 5000 500000 500000 foyer`);
    // authmon acknowledges by rhid; the entry is then gone.
    assert.equal(
      await answerAuthmon(
        { auth_get: 'view', gatewayhash: gw, payload: Buffer.from(`* ${rh}`).toString('base64') },
        store,
      ),
      'ack',
    );
    assert.equal(
      await answerAuthmon(
        { auth_get: 'view', gatewayhash: gw, payload: Buffer.from('none').toString('base64') },
        store,
      ),
      '*',
    );
    assert.equal(await answerAuthmon({ auth_get: 'view', gatewayhash: 'nothex' }, store), '');
  });

  it('refuses what it cannot use', () => {
    const { fas, iv } = phpEncrypt(LIST, FASKEY);
    assert.throws(() => opennds.parse({ fas, iv }, {}), /no faskey/);
    assert.throws(() => opennds.parse({ fas, iv }, { uamSecret: 'wrong-key' }), HandoffError);
    assert.throws(() => opennds.parse({ fas, iv: 'short' }, { uamSecret: FASKEY }), HandoffError);
    assert.throws(() => opennds.parse({ fas: '!!!', iv }, { uamSecret: FASKEY }), HandoffError);
    assert.throws(() => opennds.parse({ gatewayname: 'x' }, {}), HandoffError);
    assert.throws(
      () => opennds.parse({ authaction: 'javascript:alert(1)', tok: 'x', clientip: '1.2.3.4' }, {}),
      HandoffError,
    );
    assert.throws(
      () => opennds.parse({ hid: 'x', clientip: '1.2.3.4', gatewayaddress: 'evil.example/x?' }, {}),
      HandoffError,
    );
    assert.throws(
      () => opennds.parse({ fas: Buffer.from(LIST.replace('04:15:52:6a:e4:ad', 'zz')).toString('base64') }, {}),
      HandoffError,
    );
  });
});
