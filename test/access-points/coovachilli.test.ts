import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { coovachilli } from '../../portal/access-points/coovachilli.ts';
import { HandoffError } from '../../portal/access-points/handoff.ts';
import { coovaChilliAccessRequest } from '../../portal/access-points/nas-request.ts';
import { chapMatches } from '../../radius/authenticators.ts';

const CHALLENGE = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const query = (qs: string) => Object.fromEntries(new URL(`https://portal.example/p/cafe?${qs}`).searchParams);
const REDIRECT =
  `res=notyet&uamip=10.1.0.1&uamport=3990&challenge=${CHALLENGE}&called=00-0D-B9-11-22-33&mac=DA-A1-19-12-34-56` +
  '&ip=10.1.0.7&nasid=cafe-ap1&sessionid=5c7a3e0d00000001&ssid=Cafe%20Guest&userurl=http%3A%2F%2Fexample.com%2Fnews&md=0123456789ABCDEF';

const md5 = (...p: Buffer[]) => createHash('md5').update(Buffer.concat(p)).digest();

/** chilli's redir.c: user_password[m] = password[m] ^ chap_challenge[n], n cycling over 16, then up to the NUL. */
function chilliDecodePap(hex: string, challenge: Buffer, secret?: string): string {
  const key = secret ? md5(challenge, Buffer.from(secret)) : challenge;
  const enc = Buffer.from(hex, 'hex');
  const out = Buffer.alloc(enc.length);
  for (let m = 0; m < enc.length;) for (let n = 0; n < 16 && m < enc.length; m++, n++) out[m] = enc[m] ^ key[n];
  return out.subarray(0, out.indexOf(0) < 0 ? out.length : out.indexOf(0)).toString();
}

describe('access points: CoovaChilli', () => {
  it('reads the UAM redirect by its own names', () => {
    const q = query(REDIRECT);
    assert.ok(coovachilli.detect(q));
    const h = coovachilli.parse(q, {});
    assert.equal(h.vendor, 'coovachilli');
    assert.equal(h.clientMac, 'da:a1:19:12:34:56');
    assert.equal(h.clientMacPrivate, true);
    assert.equal(h.clientIp, '10.1.0.7');
    assert.equal(h.apMac, '00:0d:b9:11:22:33');
    assert.equal(h.nasId, 'cafe-ap1');
    assert.equal(h.ssid, 'Cafe Guest');
    assert.equal(h.loginUrl, 'http://10.1.0.1:3990/logon');
    assert.equal(h.challenge, CHALLENGE);
    assert.equal(h.originalUrl, 'http://example.com/news');
    assert.equal(h.extra.res, 'notyet');
    assert.equal(h.extra.sessionid, '5c7a3e0d00000001');
  });

  for (const secret of [undefined, 'uam-s3cret']) {
    it(`CHAP ${secret ? 'with' : 'without'} uamsecret: response = MD5(0 | password | challenge')`, async () => {
      const h = coovachilli.parse(query(REDIRECT), {});
      const back = await coovachilli.handBack(h, { username: 'g-123', password: 'pw-Ωmega-1' }, { uamSecret: secret });
      assert.equal(back.kind, 'redirect');
      const u = new URL((back as { url: string }).url);
      assert.equal(u.origin + u.pathname, 'http://10.1.0.1:3990/logon');
      assert.equal(u.searchParams.get('username'), 'g-123');
      assert.equal(u.searchParams.get('password'), null);
      assert.equal(u.searchParams.get('userurl'), 'http://example.com/news');
      const chal = Buffer.from(CHALLENGE, 'hex');
      const working = secret ? md5(chal, Buffer.from(secret)) : chal;
      const expected = md5(Buffer.from([0]), Buffer.from('pw-Ωmega-1'), working).toString('hex');
      assert.equal(u.searchParams.get('response'), expected);
      // What chilli then sends, checked the way Foyer's RADIUS server checks CHAP.
      const req = coovaChilliAccessRequest(h, back, secret);
      assert.equal(req.method, 'chap');
      assert.ok(chapMatches(req.chapPassword!, req.chapChallenge!, 'pw-Ωmega-1'));
      assert.ok(!chapMatches(req.chapPassword!, req.chapChallenge!, 'wrong'));
    });

    for (const password of ['short', 'exactly-16-bytes', 'a-password-longer-than-one-block-of-16']) {
      it(`PAP ${secret ? 'with' : 'without'} uamsecret decodes back to ${JSON.stringify(password)} as chilli does`, async () => {
        const h = coovachilli.parse(query(REDIRECT), {});
        const back = await coovachilli.handBack(
          h,
          { username: 'g-123', password },
          { uamSecret: secret, authMethod: 'pap' },
        );
        const u = new URL((back as { url: string }).url);
        const hex = u.searchParams.get('password')!;
        assert.equal(u.searchParams.get('response'), null);
        assert.equal(hex.length % 32, 0, 'whole 16-byte blocks');
        assert.equal(chilliDecodePap(hex, Buffer.from(CHALLENGE, 'hex'), secret), password);
        assert.notEqual(hex.slice(0, password.length * 2), Buffer.from(password).toString('hex'));
        const req = coovaChilliAccessRequest(h, back, secret);
        assert.deepEqual([req.method, req.userName, req.userPassword], ['pap', 'g-123', password]);
        assert.equal(req.callingStationId, 'DA-A1-19-12-34-56');
      });
    }
  }

  it('refuses redirects it cannot use', () => {
    const bad: Record<string, string> = {
      'no uamip': REDIRECT.replace('uamip=10.1.0.1&', ''),
      'bad uamport': REDIRECT.replace('uamport=3990', 'uamport=99999'),
      'short challenge': REDIRECT.replace(CHALLENGE, 'abcd'),
      'non-hex challenge': REDIRECT.replace(CHALLENGE, 'z'.repeat(32)),
      'malformed MAC': REDIRECT.replace('DA-A1-19-12-34-56', 'DA-A1-19-12-34'),
      'uamip with a path': REDIRECT.replace('uamip=10.1.0.1', 'uamip=evil.example%2Fx'),
    };
    for (const [why, qs] of Object.entries(bad)) {
      assert.throws(() => coovachilli.parse(query(qs), {}), HandoffError, why);
    }
  });

  it('drops a non-http original URL but keeps the guest going', () => {
    const h = coovachilli.parse(
      query(REDIRECT.replace('userurl=http%3A%2F%2Fexample.com%2Fnews', 'userurl=javascript%3Aalert(1)')),
      {},
    );
    assert.equal(h.originalUrl, undefined);
  });

  it('lets a result page without a challenge through, but not a login', () => {
    const already = query('res=already&uamip=10.1.0.1&uamport=3990&mac=00-11-22-33-44-55');
    assert.equal(coovachilli.parse(already, {}).challenge, undefined);
    assert.throws(() => coovachilli.parse(query('res=notyet&uamip=10.1.0.1&uamport=3990'), {}), HandoffError);
  });
});
