// Accounts from the console (owners only): add, change role and venues, remove.
import assert from 'node:assert/strict';
import { adminWorld, EMAILS, PASSWORD, type AdminWorld } from './setup.ts';
import { AdminClient } from './client.ts';
import { findAdminByEmail } from '../../portal/accounts/accounts.ts';

describe('admin: accounts', function () {
  let w: AdminWorld;
  before(async () => {
    w = await adminWorld();
  });
  after(async () => w?.close());

  it('adds an operator for a venue, who then sees only that venue', async () => {
    const owner = await w.as('owner');
    const bad = await owner.post('/admin/accounts', { email: 'new@foyer.test', password: 'short', role: 'operator' });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /id="account-error"/);
    const res = await owner.post('/admin/accounts', {
      email: 'New@Foyer.test',
      password: PASSWORD,
      role: 'operator',
      venueIds: [w.b.id],
    });
    assert.equal(res.status, 303);
    const dup = await owner.post('/admin/accounts', { email: 'new@foyer.test', password: PASSWORD, role: 'owner' });
    assert.equal(dup.status, 409);
    const c = new AdminClient(w.srv.url);
    assert.equal((await c.login('new@foyer.test', PASSWORD)).status, 303);
    assert.match((await c.get('/admin')).html, /Bar B/);
    assert.equal((await c.get(`/admin/venues/${w.a.slug}`)).status, 404);
  });

  it("changes an operator's venues and role, effective on the next request", async () => {
    const owner = await w.as('owner');
    const op = await w.as('operator-a');
    assert.equal((await op.get(`/admin/venues/${w.b.slug}`)).status, 404);
    assert.equal(
      (await owner.post(`/admin/accounts/${w.operatorAId}`, { role: 'operator', venueIds: [w.b.id] })).status,
      303,
    );
    assert.equal((await op.get(`/admin/venues/${w.b.slug}`)).status, 200);
    assert.equal((await op.get(`/admin/venues/${w.a.slug}`)).status, 404);
    assert.equal(
      (await owner.post(`/admin/accounts/${w.operatorAId}`, { role: 'operator' })).status,
      400,
      'an operator needs a venue',
    );
    assert.equal((await owner.post(`/admin/accounts/${w.operatorAId}`, { role: 'network-admin' })).status, 303);
    assert.equal((await op.get(`/admin/venues/${w.b.slug}`)).status, 403);
    assert.equal((await op.get('/admin/network/nas')).status, 200);
    const me = (await findAdminByEmail(w.ctx.db, EMAILS.owner))!;
    assert.equal(
      (await owner.post(`/admin/accounts/${me.id}`, { role: 'operator', venueIds: [w.a.id] })).status,
      409,
      'not your own owner role',
    );
  });

  it('removes an account and its sessions, never your own', async () => {
    const owner = await w.as('owner');
    const victim = await w.as('operator-b');
    const id = (await findAdminByEmail(w.ctx.db, EMAILS['operator-b']))!.id;
    assert.equal((await owner.post(`/admin/accounts/${id}/remove`, {})).status, 303);
    assert.equal((await victim.get('/admin')).status, 302);
    assert.equal(await findAdminByEmail(w.ctx.db, EMAILS['operator-b']), undefined);
    const me = (await findAdminByEmail(w.ctx.db, EMAILS.owner))!;
    assert.equal((await owner.post(`/admin/accounts/${me.id}/remove`, {})).status, 409);
    const log = await owner.get('/admin/audit');
    assert.match(log.html, /account\.remove/);
    assert.match(log.html, /account\.access/);
  });
});
