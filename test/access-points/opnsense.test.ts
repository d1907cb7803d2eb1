import assert from 'node:assert/strict';
import { opnsense } from '../../portal/access-points/opnsense.ts';
import { HandoffError } from '../../portal/access-points/handoff.ts';
import { accessRequestFor } from '../../portal/access-points/nas-request.ts';
import { json, localServer, type LocalServer } from './local-server.ts';

const REDIRECT = {
  zoneid: '0',
  portal: 'https://192.168.1.1:8000/',
  redirurl: 'http://example.com/',
  clientip: '192.168.1.60',
  clientmac: '3c:22:fb:00:00:0a',
};
const KEY = 'k3y',
  SECRET = 's3cret';

/** OPNsense's admin API: basic auth with key:secret, form POST, JSON session back. */
async function opnsenseApi(): Promise<LocalServer> {
  return localServer((req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`)
      return json(res, 401, { status: 401, message: 'Authentication Failed' });
    const m = /^\/api\/captiveportal\/session\/connect\/(\d+)$/.exec(req.path);
    if (!m || req.method !== 'POST') return json(res, 404, { errorMessage: 'Endpoint not found' });
    const f = new URLSearchParams(req.body);
    if (m[1] !== '0') return json(res, 200, []);
    json(res, 200, {
      clientState: 'AUTHORIZED',
      ipAddress: f.get('ip'),
      userName: f.get('user'),
      sessionId: 'abc==',
      zoneid: 0,
      authenticated_via: 'API',
    });
  });
}

describe('access points: OPNsense', () => {
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reads the forwarded template parameters', () => {
    assert.ok(opnsense.detect(REDIRECT));
    const h = opnsense.parse(REDIRECT, {});
    assert.equal(h.clientIp, '192.168.1.60');
    assert.equal(h.clientMac, '3c:22:fb:00:00:0a');
    assert.equal(h.loginUrl, 'https://192.168.1.1:8000/api/captiveportal/access/logon/0');
    assert.equal(h.originalUrl, 'http://example.com/');
  });

  it("with an API key: connects the guest's IP through session/connect, then is done", async () => {
    server = await opnsenseApi();
    const h = opnsense.parse(REDIRECT, {});
    const back = await opnsense.handBack(
      h,
      { username: 'g-5', password: 'pw-5' },
      { controller: { url: server.url, username: KEY, password: SECRET } },
    );
    assert.deepEqual(back, { kind: 'done', url: 'http://example.com/' });
    assert.equal(server.seen[0].path, '/api/captiveportal/session/connect/0');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(server.seen[0].body)), { user: 'g-5', ip: '192.168.1.60' });
  });

  it('reports a refused key or unknown zone as HandoffError', async () => {
    server = await opnsenseApi();
    const h = opnsense.parse(REDIRECT, {});
    await assert.rejects(
      opnsense.handBack(
        h,
        { username: 'g', password: 'p' },
        { controller: { url: server.url, username: KEY, password: 'nope' } },
      ),
      /API key refused/,
    );
    await assert.rejects(
      opnsense.handBack(
        h,
        { username: 'g', password: 'p' },
        { controller: { url: server.url, username: KEY, password: SECRET, site: '3' } },
      ),
      HandoffError,
    );
  });

  it("without an API key: the guest's browser posts user and password to the zone's logon API", async () => {
    const h = opnsense.parse(REDIRECT, {});
    const back = await opnsense.handBack(h, { username: 'g-5', password: 'pw-5' }, {});
    assert.deepEqual(back, {
      kind: 'form',
      action: 'https://192.168.1.1:8000/api/captiveportal/access/logon/0',
      method: 'POST',
      fields: { user: 'g-5', password: 'pw-5' },
    });
    assert.equal(accessRequestFor(h, back)!.userPassword, 'pw-5');
  });

  it('refuses what it cannot use', () => {
    assert.throws(() => opnsense.parse({ ...REDIRECT, zoneid: 'x' }, {}), HandoffError);
    assert.throws(() => opnsense.parse({ ...REDIRECT, portal: 'javascript:alert(1)' }, {}), HandoffError);
  });
});
