// Every admin route, as every role and as an operator of another venue: refused where
// the rules (portal/accounts/permissions.ts) say so, served where they allow.
import assert from 'node:assert/strict';
import { adminWorld, type AdminWorld } from './setup.ts';
import { AdminClient } from './client.ts';

type Who = 'owner' | 'network-admin' | 'operator-a' | 'operator-b';

interface Route {
  method: 'GET' | 'POST';
  path: (w: AdminWorld) => string;
  allowed: Who[];
  body?: Record<string, string>;
}

const VENUE: Who[] = ['owner', 'operator-a'];
const NETWORK: Who[] = ['owner', 'network-admin'];
const ALL: Who[] = ['owner', 'network-admin', 'operator-a', 'operator-b'];

const ROUTES: Route[] = [
  { method: 'GET', path: () => '/admin', allowed: ALL },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}`, allowed: VENUE },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/branding`, allowed: VENUE },
  { method: 'POST', path: (w) => `/admin/venues/${w.a.slug}/branding`, allowed: VENUE, body: { name: 'Café A' } },
  { method: 'POST', path: (w) => `/admin/venues/${w.a.slug}/branding/discard`, allowed: VENUE },
  { method: 'POST', path: (w) => `/admin/venues/${w.a.slug}/branding/logo`, allowed: VENUE },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/preview`, allowed: VENUE },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/preview.css`, allowed: VENUE },
  { method: 'POST', path: (w) => `/admin/venues/${w.a.slug}/publish`, allowed: VENUE },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/versions`, allowed: VENUE },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/versions/compare?a=1&b=2`, allowed: VENUE },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/settings`, allowed: VENUE },
  {
    method: 'POST',
    path: (w) => `/admin/venues/${w.a.slug}/settings`,
    allowed: VENUE,
    body: { 'session.durationMinutes': '60' },
  },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/consents`, allowed: VENUE },
  { method: 'GET', path: (w) => `/admin/consents?venue=${w.a.slug}`, allowed: ALL },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/consents/person/${w.guestHash}`, allowed: VENUE },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/consents/event/${w.eventId}`, allowed: VENUE },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/consents/event/${w.eventId}/page`, allowed: VENUE },
  {
    method: 'POST',
    path: (w) => `/admin/venues/${w.a.slug}/consents/person/${w.guestHash}/withdraw`,
    allowed: VENUE,
    body: { purpose: 'sms', confirm: 'yes' },
  },
  {
    method: 'POST',
    path: (w) => `/admin/venues/${w.a.slug}/consents/person/${w.guestHash}/erase`,
    allowed: VENUE,
    body: { confirm: 'yes' },
  },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/consents/export?format=csv`, allowed: VENUE },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/consents/export?format=json`, allowed: VENUE },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/consents/suppression.csv`, allowed: VENUE },
  { method: 'GET', path: () => '/admin/network/nas', allowed: NETWORK },
  { method: 'GET', path: () => '/admin/network/nas/new', allowed: NETWORK },
  { method: 'POST', path: () => '/admin/network/nas/new', allowed: NETWORK, body: { name: '', address: 'nonsense' } },
  { method: 'GET', path: (w) => `/admin/network/nas/${w.nasId}`, allowed: NETWORK },
  { method: 'GET', path: (w) => `/admin/network/nas/${w.nasId}/edit`, allowed: NETWORK },
  { method: 'POST', path: (w) => `/admin/network/nas/${w.nasId}/edit`, allowed: NETWORK, body: { name: '' } },
  { method: 'GET', path: () => '/admin/network/guides/mikrotik', allowed: NETWORK },
  { method: 'GET', path: () => '/admin/network/sessions', allowed: NETWORK },
  { method: 'POST', path: (w) => `/admin/network/sessions/${w.sessionId}/disconnect`, allowed: NETWORK },
  { method: 'GET', path: (w) => `/admin/venues/${w.a.slug}/online`, allowed: ['owner', 'network-admin', 'operator-a'] },
  {
    method: 'POST',
    path: (w) => `/admin/sessions/${w.sessionId}/end`,
    allowed: ['owner', 'network-admin', 'operator-a'],
    body: { action: 'disconnect' },
  },
  { method: 'GET', path: () => '/admin/accounts', allowed: ['owner'] },
  { method: 'POST', path: () => '/admin/accounts', allowed: ['owner'], body: { email: 'x' } },
  { method: 'GET', path: (w) => `/admin/accounts/${w.operatorAId}`, allowed: ['owner'] },
  { method: 'POST', path: (w) => `/admin/accounts/${w.operatorAId}`, allowed: ['owner'], body: { role: 'operator' } },
  { method: 'POST', path: () => '/admin/accounts/no-such-id/remove', allowed: ['owner'] },
  { method: 'GET', path: () => '/admin/audit', allowed: ['owner'] },
  { method: 'GET', path: () => '/admin/no-such-page', allowed: ALL },
  // Destructive last, so the routes above still find what they need.
  {
    method: 'POST',
    path: (w) => `/admin/sessions/${w.sessionId}/end`,
    allowed: ['owner', 'operator-a'],
    body: { action: 'revoke' },
  },
  { method: 'POST', path: (w) => `/admin/network/nas/${w.nasId}/remove`, allowed: NETWORK },
];

const REFUSALS = ['admin_forbidden', 'admin_venue_not_found', 'admin_login_required', 'admin_session_not_found'];

async function call(c: AdminClient, w: AdminWorld, r: Route): Promise<{ status: number; code?: string }> {
  const path = r.path(w);
  const headers = { accept: 'application/json' };
  const res =
    r.method === 'GET'
      ? await c.get(path, headers)
      : await c.post(path, r.body ?? {}, { headers, csrf: c.cookies.size ? undefined : false });
  let code: string | undefined;
  try {
    code = JSON.parse(res.html).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code };
}

describe('admin: every route as every role', function () {
  this.timeout(60000);
  let w: AdminWorld;
  before(async () => {
    w = await adminWorld();
  });
  after(async () => w?.close());

  it('refuses every route to someone not signed in', async () => {
    const anon = new AdminClient(w.srv.url);
    for (const r of ROUTES) {
      const res = await call(anon, w, r);
      assert.equal(res.status, 401, `${r.method} ${r.path(w)} without sign-in: ${res.status}`);
      assert.equal(res.code, 'admin_login_required');
    }
    const page = await anon.get('/admin/venues/cafe-a');
    assert.equal(page.status, 302);
    assert.match(page.headers.get('location')!, /^\/admin\/login\?next=/);
  });

  for (const who of ['operator-b', 'network-admin', 'operator-a', 'owner'] as Who[]) {
    it(`as ${who}: allowed routes served, the rest refused with 403 or 404`, async () => {
      // A fresh world each: the walk removes and erases things.
      await w.close();
      w = await adminWorld();
      const c = await w.as(who);
      const seen: string[] = [];
      for (const r of ROUTES) {
        const res = await call(c, w, r);
        const label = `${who} ${r.method} ${r.path(w)} -> ${res.status} ${res.code ?? ''}`;
        seen.push(label);
        if (r.allowed.includes(who)) {
          assert.ok(res.status < 500, label);
          assert.ok(!REFUSALS.includes(res.code ?? ''), label);
        } else {
          assert.ok(res.status === 403 || res.status === 404, label);
          // A session of a venue not one's own is answered as if it did not exist.
          assert.ok(
            ['admin_forbidden', 'admin_venue_not_found', 'admin_session_not_found'].includes(res.code ?? ''),
            label,
          );
          // An operator of another venue learns nothing about this one.
          if (who === 'operator-b' && r.path(w).includes('/venues/')) assert.equal(res.status, 404, label);
        }
      }
      assert.equal(seen.length, ROUTES.length);
      if (process.env.WALK_DEBUG) console.log(seen.join('\n'));
    });
  }

  // "Network admins see no personal data": the guest in adminWorld has MAC aa:bb:cc:dd:ee:ff,
  // IP 10.0.0.5 and number +359888123456; a network admin walks every page they may open.
  it("shows a network admin no guest's MAC, IP or number on any page: masked, as aa:bb:cc:**:**:ff", async () => {
    const net = await w.as('network-admin');
    for (const r of ROUTES.filter((x) => x.method === 'GET' && x.allowed.includes('network-admin'))) {
      const res = await net.get(r.path(w));
      const page = `${r.path(w)} -> ${res.status}`;
      assert.doesNotMatch(
        res.html,
        /aa:bb:cc:dd:ee:ff|aa-bb-cc-dd-ee-ff|aabbccddeeff/i,
        `${page} shows the guest's MAC`,
      );
      assert.doesNotMatch(res.html, /10\.0\.0\.5\b/, `${page} shows the guest's IP`);
      assert.doesNotMatch(res.html, /888123456|88812\*+456/, `${page} shows the guest's number`);
    }
    const sessions = await net.get('/admin/network/sessions');
    assert.match(sessions.html, /aa:bb:cc:\*\*:\*\*:ff/);
    assert.match(sessions.html, /10\.0\.\*\.\*/);
    // The owner, who may see personal data, still sees them whole.
    const owner = await w.as('owner');
    assert.match((await owner.get('/admin/network/sessions')).html, /aa:bb:cc:dd:ee:ff[\s\S]*10\.0\.0\.5/);
  });

  it('shows each role only its own menu and venues', async () => {
    const opB = await w.as('operator-b');
    const home = await opB.get('/admin');
    assert.match(home.html, /Bar B/);
    assert.doesNotMatch(home.html, /Café A/);
    assert.doesNotMatch(home.html, /href="\/admin\/audit"/);
    const net = await w.as('network-admin');
    const nhome = await net.get('/admin');
    assert.match(nhome.html, /href="\/admin\/network\/nas"/);
    assert.doesNotMatch(nhome.html, /Café A/);
  });
});
