// NAS clients and sessions from the console: the secret shown once and stored
// encrypted, the settings to enter on the equipment, edit and remove, the live
// session list and a disconnect answered by a NAS on loopback.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { adminWorld, type AdminWorld } from './setup.ts';
import type { AdminClient } from './client.ts';
import { listNas } from '../../portal/access/nas-clients.ts';
import { listAudit } from '../../portal/accounts/audit.ts';

eachBackend('admin: NAS clients and sessions', (backend) => {
  let w: AdminWorld;
  let net: AdminClient;
  before(async () => {
    w = await adminWorld({ PUBLIC_URL: 'https://wifi.example.com' }, backend);
    net = await w.as('network-admin');
  });
  after(async () => w?.close());

  it('adds a NAS with a generated secret shown once, stored encrypted, with the vendor settings', async () => {
    const res = await net.post('/admin/network/nas/new', {
      name: 'lobby',
      address: '198.51.100.0/24',
      vendor: 'coovachilli',
      venueId: w.a.id,
      coaPort: '3799',
      requireMessageAuthenticator: 'on',
      secretMode: 'generate',
    });
    assert.equal(res.status, 200);
    const secret = /id="nas-secret">([^<]+)</.exec(res.html)![1];
    assert.ok(secret.length >= 16);
    assert.match(res.html, /wifi\.example\.com/);
    assert.match(res.html, /https:\/\/wifi\.example\.com\/p\/cafe-a/);
    assert.match(res.html, /<code>1812<\/code>/);
    assert.match(res.html, /<code>1813<\/code>/);
    assert.match(res.html, /HS_UAMSERVER/);
    assert.match(res.html, /deploy\/access-points\/coovachilli\.md/);
    const row = await w.ctx.db.get<{ secret_enc: string; id: string }>(
      'SELECT id, secret_enc FROM nas_clients WHERE name = ?',
      ['lobby'],
    );
    assert.ok(!row!.secret_enc.includes(secret));
    assert.equal((await listNas(w.ctx.db, w.ctx.cipher)).find((n) => n.name === 'lobby')!.secret.toString(), secret);
    // Never again on a later page.
    const later = await net.get(`/admin/network/nas/${row!.id}`);
    assert.equal(later.status, 200);
    assert.doesNotMatch(later.html, new RegExp(secret));
    const entry = (await listAudit(w.ctx.db, { action: 'nas.add' }))[0];
    assert.doesNotMatch(entry.detail!, new RegExp(secret));
  });

  it('validates the form with errors by the fields, and keeps an entered secret out of the page', async () => {
    const res = await net.post('/admin/network/nas/new', {
      name: 'bad',
      address: '300.1.1.1',
      vendor: 'mikrotik',
      venueId: w.a.id,
      coaPort: '70000',
      secretMode: 'enter',
      secret: 'short',
    });
    assert.equal(res.status, 400);
    assert.match(res.html, /id="address-error"/);
    assert.match(res.html, /id="coaPort-error"/);
    assert.match(res.html, /id="secret-error"/);
    assert.doesNotMatch(res.html, /value="short"/);
  });

  it('edits a NAS (keeping or changing the secret) and removes it', async () => {
    const id = (await listNas(w.ctx.db, w.ctx.cipher)).find((n) => n.name === 'lobby')!.id;
    const keep = await net.post(`/admin/network/nas/${id}/edit`, {
      name: 'lobby-2',
      address: '198.51.100.7',
      vendor: 'mikrotik',
      venueId: w.b.id,
      coaPort: '1700',
      secretMode: 'keep',
    });
    assert.equal(keep.status, 303);
    let n = (await listNas(w.ctx.db, w.ctx.cipher)).find((x) => x.id === id)!;
    assert.deepEqual(
      [n.name, n.address, n.vendor, n.venueId, n.coaPort, n.requireMessageAuthenticator],
      ['lobby-2', '198.51.100.7', 'mikrotik', w.b.id, 1700, false],
    );
    const before = n.secret.toString();
    const change = await net.post(`/admin/network/nas/${id}/edit`, {
      name: 'lobby-2',
      address: '198.51.100.7',
      vendor: 'mikrotik',
      venueId: w.b.id,
      coaPort: '1700',
      secretMode: 'enter',
      secret: 'a-new-shared-secret-123',
    });
    assert.equal(change.status, 200);
    assert.match(change.html, /id="nas-secret">a-new-shared-secret-123</);
    n = (await listNas(w.ctx.db, w.ctx.cipher)).find((x) => x.id === id)!;
    assert.notEqual(n.secret.toString(), before);
    assert.equal((await net.post(`/admin/network/nas/${id}/remove`, {})).status, 303);
    assert.equal(
      (await listNas(w.ctx.db, w.ctx.cipher)).find((x) => x.id === id),
      undefined,
    );
  });

  it('lists live sessions with venue, MAC (masked for a network admin), start, duration and data', async () => {
    const res = await net.get('/admin/network/sessions');
    assert.equal(res.status, 200);
    assert.match(res.html, /Café A/);
    assert.match(res.html, /aa:bb:cc:\*\*:\*\*:ff/);
    assert.match(res.html, /10 min/);
    assert.match(res.html, /25\sMB/);
  });

  it('disconnects one session and shows what the NAS answered', async () => {
    const res = await net.post(`/admin/network/sessions/${w.sessionId}/disconnect`, {});
    if (res.status === 503)
      assert.fail('the app has no CoA client wired (portal/app.ts adminRoutes deps.disconnector)');
    assert.equal(res.status, 200);
    assert.match(res.html, /Disconnect-ACK/);
    assert.equal(w.nas.received, 1);
    const row = await w.ctx.db.get<{ disconnect_result: string }>(
      'SELECT disconnect_result FROM sessions WHERE id = ?',
      [w.sessionId],
    );
    assert.equal(row!.disconnect_result, 'ack');
    // A session the NAS does not know: its refusal is shown.
    await w.ctx.db.run("UPDATE sessions SET acct_session_id = 'gone' WHERE id = ?", [w.sessionId]);
    const nak = await net.post(`/admin/network/sessions/${w.sessionId}/disconnect`, {});
    assert.equal(nak.status, 502);
    assert.match(nak.html, /Disconnect-NAK, Error-Cause (503|Session-Context-Not-Found)/);
    assert.equal((await listAudit(w.ctx.db, { action: 'session.disconnect' })).length, 2);
  });
});
