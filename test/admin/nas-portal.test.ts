// The NAS form's portal settings: what the guest pages need to hand guests back to the
// equipment (identifier, hand-back method, login hosts, UAM secret, controller).
import assert from 'node:assert/strict';
import { adminWorld, type AdminWorld } from './setup.ts';
import type { AdminClient } from './client.ts';
import { listNas } from '../../portal/access/nas-clients.ts';

describe('admin: NAS portal settings', function () {
  this.timeout(60_000);
  let w: AdminWorld;
  let net: AdminClient;
  before(async () => {
    w = await adminWorld({ PUBLIC_URL: 'https://wifi.example.com' });
    net = await w.as('network-admin');
    await net.get('/admin/network/nas/new');
  });
  after(() => w.close());

  const base = () => ({
    name: 'chilli',
    address: '198.51.100.7',
    vendor: 'coovachilli',
    venueId: w.a.id,
    coaPort: '3799',
    requireMessageAuthenticator: 'on',
    secretMode: 'generate',
  });
  const stored = async () => (await listNas(w.ctx.db, w.ctx.cipher)).find((n) => n.name === 'chilli')!;

  it('saves them with a new NAS, secrets encrypted and never shown again', async () => {
    const res = await net.post('/admin/network/nas/new', {
      ...base(),
      nasIdentifier: 'chilli-lobby',
      authMethod: 'pap',
      loginHosts: '10.1.0.1:3990, *.hotspot.example',
      uamSecret: 'uam-shared-secret',
    });
    assert.equal(res.status, 200, res.html);
    const n = await stored();
    assert.equal(n.portal.nasIdentifier, 'chilli-lobby');
    assert.equal(n.portal.authMethod, 'pap');
    assert.deepEqual(n.portal.loginHosts, ['10.1.0.1:3990', '*.hotspot.example']);
    assert.equal(n.portal.uamSecret, 'uam-shared-secret');
    const row = await w.ctx.db.get<Record<string, string>>('SELECT * FROM nas_clients WHERE name = ?', ['chilli']);
    assert.ok(!JSON.stringify(row).includes('uam-shared-secret'), 'stored encrypted');
    const edit = await net.get(`/admin/network/nas/${n.id}/edit`);
    assert.match(edit.html, /value="chilli-lobby"/);
    assert.doesNotMatch(edit.html, /uam-shared-secret/);
    assert.match(edit.html, /name="uamSecretClear"/);
  });

  it('keeps a secret left empty, clears it when asked, and empties text settings', async () => {
    const n = await stored();
    await net.get(`/admin/network/nas/${n.id}/edit`);
    const keep = await net.post(`/admin/network/nas/${n.id}/edit`, {
      ...base(),
      secretMode: 'keep',
      nasIdentifier: 'chilli-lobby',
      authMethod: 'chap',
      loginHosts: '',
    });
    assert.equal(keep.status, 303, keep.html);
    let now = await stored();
    assert.equal(now.portal.uamSecret, 'uam-shared-secret');
    assert.equal(now.portal.authMethod, 'chap');
    assert.deepEqual(now.portal.loginHosts, []);
    await net.get(`/admin/network/nas/${n.id}/edit`);
    await net.post(`/admin/network/nas/${n.id}/edit`, {
      ...base(),
      secretMode: 'keep',
      nasIdentifier: '',
      uamSecretClear: 'on',
    });
    now = await stored();
    assert.equal(now.portal.uamSecret, undefined);
    assert.equal(now.portal.nasIdentifier, undefined);
  });

  it('refuses a login host that is not a host, by the field', async () => {
    const n = await stored();
    await net.get(`/admin/network/nas/${n.id}/edit`);
    const bad = await net.post(`/admin/network/nas/${n.id}/edit`, {
      ...base(),
      secretMode: 'keep',
      loginHosts: 'bad_host!',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /is not a host, host:port or \*\.domain/);
  });
});
