import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mikrotik } from '../../portal/access-points/mikrotik.ts';
import { HandoffError } from '../../portal/access-points/handoff.ts';
import { mikrotikAccessRequest } from '../../portal/access-points/nas-request.ts';
import { chapMatches } from '../../radius/authenticators.ts';

// As login.html writes them: $(chap-id) and $(chap-challenge) octal-escaped.
const CHAP_ID = '\\134';
const CHAP_CHALLENGE = '\\017\\205\\055\\122\\043\\240\\041\\064\\304\\257\\213\\226\\265\\214\\121\\323';
const CHALLENGE_BYTES = Buffer.from([
  0o17, 0o205, 0o55, 0o122, 0o43, 0o240, 0o41, 0o64, 0o304, 0o257, 0o213, 0o226, 0o265, 0o214, 0o121, 0o323,
]);

const redirect = (over: Record<string, string | undefined> = {}) => {
  const q: Record<string, string | undefined> = {
    'link-login-only': 'http://10.5.50.1/login',
    'link-orig': 'http://example.com/',
    'chap-id': CHAP_ID,
    'chap-challenge': CHAP_CHALLENGE,
    mac: '3C:22:FB:01:02:03',
    ip: '10.5.50.12',
    'server-name': 'hotspot1',
    identity: 'cafe-router',
    ...over,
  };
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Record<string, string>;
};

describe('access points: MikroTik', () => {
  it('reads the hotspot variables, decoding the octal escapes', () => {
    const q = redirect();
    assert.ok(mikrotik.detect(q));
    const h = mikrotik.parse(q, {});
    assert.equal(h.loginUrl, 'http://10.5.50.1/login');
    assert.equal(h.originalUrl, 'http://example.com/');
    assert.equal(h.clientMac, '3c:22:fb:01:02:03');
    assert.equal(h.clientMacPrivate, false);
    assert.equal(h.clientIp, '10.5.50.12');
    assert.equal(h.nasId, 'cafe-router');
    assert.equal(h.extra['server-name'], 'hotspot1');
    assert.equal(h.extra['chap-id'], '5c');
    assert.equal(h.challenge, CHALLENGE_BYTES.toString('hex'));
  });

  it('CHAP: posts md5(chap-id + password + chap-challenge), which verifies as a RADIUS server checks it', async () => {
    const h = mikrotik.parse(redirect(), {});
    const back = await mikrotik.handBack(h, { username: 'g-77', password: 's3cret-pw' }, {});
    assert.equal(back.kind, 'form');
    if (back.kind !== 'form') return;
    assert.equal(back.action, 'http://10.5.50.1/login');
    assert.equal(back.method, 'POST');
    assert.equal(back.fields.username, 'g-77');
    assert.equal(back.fields.dst, 'http://example.com/');
    const expected = createHash('md5')
      .update(Buffer.concat([Buffer.from([0x5c]), Buffer.from('s3cret-pw'), CHALLENGE_BYTES]))
      .digest('hex');
    assert.equal(back.fields.password, expected);
    const req = mikrotikAccessRequest(h, back);
    assert.equal(req.method, 'chap');
    assert.equal(req.chapPassword![0], 0x5c);
    assert.ok(chapMatches(req.chapPassword!, req.chapChallenge!, 's3cret-pw'));
    assert.ok(!chapMatches(req.chapPassword!, req.chapChallenge!, 's3cret-px'));
    assert.equal(req.callingStationId, '3C-22-FB-01-02-03');
  });

  it('PAP: the plain password when the hotspot sends no challenge or PAP is configured', async () => {
    const h = mikrotik.parse(redirect({ 'chap-id': undefined, 'chap-challenge': undefined }), {});
    const back = await mikrotik.handBack(h, { username: 'g-77', password: 'plain-pw' }, {});
    assert.equal(back.kind === 'form' && back.fields.password, 'plain-pw');
    const h2 = mikrotik.parse(redirect(), {});
    const back2 = await mikrotik.handBack(h2, { username: 'g-77', password: 'plain-pw' }, { authMethod: 'pap' });
    assert.equal(back2.kind === 'form' && back2.fields.password, 'plain-pw');
    assert.equal(mikrotikAccessRequest(h2, back2).userPassword, 'plain-pw');
  });

  it('refuses bad escapes and missing login addresses', () => {
    const bad: Array<[string, Record<string, string | undefined>]> = [
      ['8 is not octal', { 'chap-id': '\\138' }],
      ['two-digit escape', { 'chap-challenge': '\\17\\205' }],
      ['above \\377', { 'chap-id': '\\400' }],
      ['two bytes of id', { 'chap-id': '\\134\\135' }],
      ['raw text', { 'chap-challenge': 'hello' }],
      ['only one of the pair', { 'chap-challenge': undefined }],
      ['no link-login-only', { 'link-login-only': undefined }],
      ['javascript login', { 'link-login-only': 'javascript:alert(1)' }],
      ['bad MAC', { mac: '3C:22:FB:01:02' }],
    ];
    for (const [why, over] of bad) assert.throws(() => mikrotik.parse(redirect(over), {}), HandoffError, why);
  });
});
