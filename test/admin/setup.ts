// A server with two venues, one account per role (and an operator for each venue),
// a signed-up guest, a NAS client and an open RADIUS session: enough for every page.
import { randomUUID } from 'node:crypto';
import { testContext, type Backend, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { addAdmin } from '../../portal/accounts/accounts.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { createGrant } from '../../portal/access/grants.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { AdminClient } from './client.ts';
import { fakeNas, type FakeNas } from './fake-nas.ts';

export const PASSWORD = 'correct horse battery';

export interface AdminWorld {
  ctx: TestContext;
  srv: TestServer;
  a: Venue;
  b: Venue;
  guestHash: string;
  eventId: string;
  nasId: string;
  sessionId: string;
  nas: FakeNas;
  operatorAId: string;
  as(role: 'owner' | 'network-admin' | 'operator-a' | 'operator-b'): Promise<AdminClient>;
  close(): Promise<void>;
}

export const EMAILS = {
  owner: 'owner@foyer.test',
  'network-admin': 'net@foyer.test',
  'operator-a': 'op-a@foyer.test',
  'operator-b': 'op-b@foyer.test',
} as const;

/**
 * `past`: ledger events dated before the world's own, written first (the ledger's time
 * never runs backwards, so an event in the past can only be appended before later ones).
 */
export async function adminWorld(
  env: Record<string, string> = {},
  backend: Backend = 'sqlite',
  past?: (ctx: TestContext, a: Venue, b: Venue) => Promise<unknown>,
): Promise<AdminWorld> {
  const ctx = await testContext({ env, backend });
  const a = await createVenue(ctx.db, { slug: 'cafe-a', name: 'Café A', country: 'BG' });
  const b = await createVenue(ctx.db, { slug: 'bar-b', name: 'Bar B', country: 'BG' });
  await past?.(ctx, a, b);
  await addAdmin(ctx.db, { email: EMAILS.owner, password: PASSWORD, role: 'owner' });
  await addAdmin(ctx.db, { email: EMAILS['network-admin'], password: PASSWORD, role: 'network-admin' });
  const opA = await addAdmin(ctx.db, {
    email: EMAILS['operator-a'],
    password: PASSWORD,
    role: 'operator',
    venueIds: [a.id],
  });
  await addAdmin(ctx.db, { email: EMAILS['operator-b'], password: PASSWORD, role: 'operator', venueIds: [b.id] });
  const [event] = await signUp(ctx, a.id, '+359888123456', { terms: 'granted', sms: 'granted', email: 'declined' });
  const coa = await fakeNas('nas-shared-secret', (acct) => acct === 'acct-1');
  const nas = await addNas(ctx.db, ctx.cipher, {
    name: 'ap-a',
    address: '127.0.0.1',
    secret: 'nas-shared-secret',
    vendor: 'mikrotik',
    venueId: a.id,
    coaPort: coa.port,
  });
  const subject = await ctx.db.get<{ id: string }>('SELECT id FROM subjects WHERE venue_id = ?', [a.id]);
  const grant = await createGrant(ctx.db, ctx.cipher, {
    venueId: a.id,
    subjectId: subject!.id,
    clientMac: 'aa:bb:cc:dd:ee:ff',
    session: a.settings.session,
  });
  const sessionId = randomUUID();
  const now = Date.now();
  await ctx.db.run(
    `INSERT INTO sessions (id, nas_id, acct_session_id, grant_id, username, mac, framed_ip, started_at, updated_at, input_octets, output_octets, interim_interval, stale_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      sessionId,
      nas.id,
      'acct-1',
      grant.id,
      grant.username,
      'aa:bb:cc:dd:ee:ff',
      '10.0.0.5',
      now - 600_000,
      now,
      5_000_000,
      20_000_000,
      300,
      now + 900_000,
    ],
  );
  const srv = await serve(ctx);
  return {
    ctx,
    srv,
    a,
    b,
    guestHash: numberHash(ctx.keys, '+359888123456'),
    eventId: event.id,
    nasId: nas.id,
    sessionId,
    nas: coa,
    operatorAId: opA.id,
    async as(role) {
      const c = new AdminClient(srv.url);
      const res = await c.login(EMAILS[role], PASSWORD);
      if (res.status !== 303) throw new Error(`login as ${role} failed: ${res.status}`);
      await c.get('/admin');
      return c;
    },
    async close() {
      await srv.close();
      await coa.close();
      await ctx.cleanup();
    },
  };
}

/** The branding form as the page fills it, with changes. */
export async function brandingForm(
  c: AdminClient,
  slug: string,
  changes: Record<string, string>,
): Promise<Record<string, string>> {
  const page = await c.get(`/admin/venues/${slug}/branding`);
  const form: Record<string, string> = {};
  for (const m of page.html.matchAll(/<input id="[^"]*" name="([^"]+)" type="(?:text|color|hidden)" value="([^"]*)"/g))
    form[m[1]] = m[2];
  for (const m of page.html.matchAll(/<textarea id="[^"]*" name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g))
    form[m[1]] = m[2];
  for (const m of page.html.matchAll(/<select id="[^"]*" name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g))
    form[m[1]] = /<option value="([^"]*)" selected/.exec(m[2])?.[1] ?? /<option value="([^"]*)"/.exec(m[2])![1];
  return { ...form, ...changes };
}
