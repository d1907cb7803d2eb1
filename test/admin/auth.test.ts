// Signing in and out: cookie flags, a new session id at every login, sessions stored
// hashed, throttling with a lock-out the person is told about, CSRF, audit entries.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { createHash } from 'node:crypto';
import { adminWorld, EMAILS, PASSWORD, type AdminWorld } from './setup.ts';
import { AdminClient } from './client.ts';
import { LIMITS } from '../../portal/accounts/throttle.ts';
import { listAudit } from '../../portal/accounts/audit.ts';

eachBackend('admin: sign-in, sessions, throttling, CSRF and audit', (backend) => {
  let w: AdminWorld;
  afterEach(async () => w?.close());

  it('sets an HttpOnly SameSite cookie, Secure when PUBLIC_URL is https, and stores only its hash', async () => {
    w = await adminWorld({ PUBLIC_URL: 'https://wifi.example.com' }, backend);
    const c = new AdminClient(w.srv.url);
    await c.get('/admin/login');
    const res = await c.post('/admin/login', { email: EMAILS.owner, password: PASSWORD });
    assert.equal(res.status, 303);
    const set = res.headers.getSetCookie().find((s) => s.startsWith('foyer_admin='))!;
    assert.match(set, /HttpOnly/);
    assert.match(set, /SameSite=(Lax|Strict)/);
    assert.match(set, /Secure/);
    const id = c.cookies.get('foyer_admin')!;
    const rows = await w.ctx.db.all<{ id_hash: string }>('SELECT id_hash FROM admin_sessions');
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0].id_hash, id);
    assert.equal(rows[0].id_hash, createHash('sha256').update(id).digest('hex'));
  });

  it('omits Secure over plain http, and issues a new session id at each login', async () => {
    w = await adminWorld({}, backend);
    const c = new AdminClient(w.srv.url);
    await c.login(EMAILS.owner, PASSWORD);
    const first = c.cookies.get('foyer_admin')!;
    const set = (await c.get('/admin')).headers.getSetCookie();
    assert.equal(set.length, 0);
    // An id planted before login (session fixation) is never adopted.
    const planted = 'A'.repeat(43);
    const again = new AdminClient(w.srv.url);
    again.cookies.set('foyer_admin', planted);
    const res = await again.login(EMAILS.owner, PASSWORD);
    assert.equal(res.status, 303);
    assert.notEqual(again.cookies.get('foyer_admin'), planted);
    assert.notEqual(again.cookies.get('foyer_admin'), first);
    assert.ok(
      !res.headers
        .getSetCookie()
        .find((s) => s.startsWith('foyer_admin='))!
        .includes('Secure'),
    );
  });

  it('tells a wrong password apart from a lock-out, and locks after repeated failures', async () => {
    w = await adminWorld({}, backend);
    const c = new AdminClient(w.srv.url, { 'accept-language': 'bg' });
    await c.get('/admin/login');
    let res = await c.post('/admin/login', { email: EMAILS['operator-a'], password: 'wrong password!' });
    assert.equal(res.status, 401);
    assert.match(res.html, /Имейл адресът или паролата не са верни/);
    for (let i = 1; i < LIMITS.email.failures; i++)
      res = await c.post('/admin/login', { email: EMAILS['operator-a'], password: 'wrong password!' });
    assert.equal(res.status, 429);
    assert.match(res.html, /Опитайте отново след 15 минути/);
    // Locked: even the right password is refused until the lock ends, and the person is told.
    res = await c.post('/admin/login', { email: EMAILS['operator-a'], password: PASSWORD });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    assert.equal(c.cookies.get('foyer_admin'), undefined);
    // Another account from elsewhere is not affected.
    const other = new AdminClient(w.srv.url);
    assert.equal((await other.login(EMAILS.owner, PASSWORD)).status, 303);
    // The lock-out ends.
    w.ctx.now = () => Date.now() + LIMITS.email.lockMs + 1000;
    assert.equal((await c.post('/admin/login', { email: EMAILS['operator-a'], password: PASSWORD })).status, 303);
    const failed = await listAudit(w.ctx.db, { action: 'login.failed' });
    assert.equal(failed.length, LIMITS.email.failures);
    assert.equal(failed[0].detail, 'locked');
  });

  it('locks a client address that tries many accounts', async () => {
    w = await adminWorld({}, backend);
    const c = new AdminClient(w.srv.url);
    await c.get('/admin/login');
    let res;
    for (let i = 0; i < LIMITS.ip.failures; i++)
      res = await c.post('/admin/login', { email: `guess${i}@foyer.test`, password: 'wrong password!' });
    assert.equal(res!.status, 429);
    const right = await c.post('/admin/login', { email: EMAILS.owner, password: PASSWORD });
    assert.equal(right.status, 429, 'the address is locked for every account');
  });

  it('checks at most 5 passwords per account and 20 per address when 40 wrong logins arrive at once', async () => {
    w = await adminWorld({}, backend);
    const c = new AdminClient(w.srv.url);
    await c.get('/admin/login');
    // An attacker fires the guesses in parallel, so none waits for the slow hash of another.
    const one = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        c.post('/admin/login', { email: EMAILS['operator-a'], password: `guess ${i}!` }),
      ),
    );
    const checked = (await listAudit(w.ctx.db, { action: 'login.failed' })).length;
    assert.ok(
      checked <= LIMITS.email.failures,
      `${checked} passwords of one account were checked, at most ${LIMITS.email.failures} may be`,
    );
    assert.ok(one.filter((r) => r.status === 429).length >= 40 - LIMITS.email.failures);
    // Many accounts from one address: the address limit holds the same way.
    const other = new AdminClient(w.srv.url, { 'x-test': 'other' });
    await other.get('/admin/login');
    const before = checked;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        other.post('/admin/login', { email: `guess${i}@foyer.test`, password: 'wrong password!' }),
      ),
    );
    const byAddress = (await listAudit(w.ctx.db, { action: 'login.failed' })).length - before;
    assert.ok(
      byAddress + before <= LIMITS.ip.failures,
      `${byAddress + before} passwords were checked from one address, at most ${LIMITS.ip.failures} may be`,
    );
    // The owner, from the same address, is locked out with everyone else: no check happens.
    assert.equal((await other.post('/admin/login', { email: EMAILS.owner, password: PASSWORD })).status, 429);
  });

  it('refuses a form without its CSRF token (403), with a wrong one, and from the login of another browser', async () => {
    w = await adminWorld({}, backend);
    const c = await w.as('owner');
    const noToken = await c.post(
      `/admin/venues/${w.a.slug}/settings`,
      { 'session.durationMinutes': '60' },
      { csrf: false },
    );
    assert.equal(noToken.status, 403);
    assert.match(noToken.html, /form has expired/);
    assert.equal((await c.post('/admin/logout', {}, { csrf: 'forged' })).status, 403);
    // A token from another session does not work here.
    const other = await w.as('owner');
    assert.equal((await c.post('/admin/logout', {}, { csrf: other.token })).status, 403);
    // Login form: token bound to the pre-login cookie.
    const anon = new AdminClient(w.srv.url);
    assert.equal(
      (await anon.post('/admin/login', { email: EMAILS.owner, password: PASSWORD }, { csrf: false })).status,
      403,
    );
    // Multipart, whose fields the parser leaves unread, is no way around the token.
    const form = new FormData();
    form.append('_csrf', c.token);
    const multipart = await fetch(`${w.srv.url}/admin/venues/${w.a.slug}/publish`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    assert.equal(multipart.status, 403);
    assert.equal((await w.ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM venue_versions'))!.n, 0);
    assert.equal((await c.get('/admin')).status, 200, 'still signed in');
  });

  it('signs out here, and everywhere', async () => {
    w = await adminWorld({}, backend);
    const one = await w.as('owner');
    const two = await w.as('owner');
    const three = await w.as('owner');
    assert.equal((await one.post('/admin/logout', {})).status, 303);
    assert.equal((await one.get('/admin')).status, 302);
    assert.equal((await two.get('/admin')).status, 200);
    assert.equal((await two.post('/admin/logout-everywhere', {})).status, 303);
    assert.equal((await three.get('/admin')).status, 302);
    assert.equal((await two.get('/admin')).status, 302);
    const n = await w.ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM admin_sessions');
    assert.equal(Number(n!.n), 0);
  });

  it('expires an idle session', async () => {
    w = await adminWorld({}, backend);
    const c = await w.as('operator-a');
    w.ctx.now = () => Date.now() + 9 * 3600_000;
    assert.equal((await c.get('/admin')).status, 302);
  });

  it('records who did what, when and from where; only owners read it', async () => {
    w = await adminWorld({}, backend);
    const op = await w.as('operator-a');
    await op.post(`/admin/venues/${w.a.slug}/branding`, { name: 'Café A renamed' });
    await op.post(`/admin/venues/${w.a.slug}/publish`, { confirm: 'yes' });
    const entries = await listAudit(w.ctx.db);
    const publish = entries.find((e) => e.action === 'venue.publish')!;
    assert.equal(publish.actorEmail, EMAILS['operator-a']);
    assert.equal(publish.target, w.a.slug);
    assert.equal(publish.ip, '127.0.0.1');
    assert.ok(Math.abs(publish.at - Date.now()) < 60_000);
    assert.ok(entries.find((e) => e.action === 'venue.draft.save'));
    assert.ok(entries.find((e) => e.action === 'login' && e.actorEmail === EMAILS['operator-a']));
    assert.equal((await op.get('/admin/audit')).status, 403);
    const owner = await w.as('owner');
    const page = await owner.get('/admin/audit');
    assert.equal(page.status, 200);
    assert.match(page.html, /venue\.publish/);
    assert.match(page.html, /op-a@foyer\.test/);
    assert.match((await owner.get('/admin/audit?actor=op-a@foyer.test&action=venue.')).html, /venue\.draft\.save/);
  });
});

describe('admin: the purge job', () => {
  it('deletes ended sessions and spent throttle rows, keeps live ones', async () => {
    const { purgeAdminSessionsJob } = await import('../../portal/jobs/purge-admin-sessions.ts');
    const w = await adminWorld();
    try {
      const live = await w.as('owner');
      await w.ctx.db.run(
        'INSERT INTO admin_sessions (id_hash, admin_id, created_at, last_seen_at, expires_at) SELECT ?, id, 0, 0, 1 FROM admins WHERE email = ?',
        ['old', EMAILS.owner],
      );
      await w.ctx.db.run(
        'INSERT INTO admin_login_throttle (key, failures, window_start, locked_until) VALUES (?, 1, 0, 0), (?, 1, ?, 0)',
        ['email:old@x', 'email:new@x', Date.now()],
      );
      const r = await purgeAdminSessionsJob.run({ db: w.ctx.db, log: w.ctx.log, now: Date.now });
      assert.deepEqual(r, { sessions: 1, throttle: 1 });
      assert.equal((await live.get('/admin')).status, 200);
    } finally {
      await w.close();
    }
  });
});
