import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { createGrant } from '../../portal/access/grants.ts';

describe('Captive Portal API (RFC 8908)', () => {
  let ctx: TestContext;
  let srv: TestServer;
  let venue: Venue;
  let nasId: string;
  beforeEach(async () => {
    ctx = await testContext({ env: { PUBLIC_URL: 'https://wifi.example.com' } });
    srv = await serve(ctx);
    venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
    nasId = (
      await addNas(ctx.db, ctx.cipher, { name: 'ap1', address: '192.0.2.1', vendor: 'coovachilli', venueId: venue.id })
    ).id;
  });
  afterEach(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  const get = async () => {
    const res = await fetch(`${srv.url}/p/cafe/captive-api`);
    assert.equal(res.headers.get('content-type'), 'application/captive+json');
    return res.json();
  };

  it('says captive, with the portal URL, for an address without a session', async () => {
    assert.deepEqual(await get(), { captive: true, 'user-portal-url': 'https://wifi.example.com/p/cafe' });
  });

  it('says not captive, with the seconds and bytes left, once accounting ties the address to a grant', async () => {
    const [ev] = await signUp(ctx, venue.id, '+359881234567');
    const grant = await ctx.db.tx((tx) =>
      createGrant(tx, ctx.cipher, {
        venueId: venue.id,
        subjectId: ev.subject_id!,
        session: { ...venue.settings.session, dataCapMb: 100 },
      }),
    );
    const now = Date.now();
    await ctx.db.run(
      `INSERT INTO sessions (id, nas_id, acct_session_id, grant_id, framed_ip, started_at, updated_at, input_octets, output_octets, interim_interval, stale_at)
       VALUES ('s1', ?, 'a1', ?, '127.0.0.1', ?, ?, 1048576, 1048576, 300, ?)`,
      [nasId, grant.id, now, now, now + 900_000],
    );
    const body = await get();
    assert.equal(body.captive, false);
    assert.ok(body['seconds-remaining'] > 4 * 3600 - 60 && body['seconds-remaining'] <= 4 * 3600);
    assert.equal(body['bytes-remaining'], 98 * 1048576);
    assert.equal(body['can-extend-session'], true);
  });

  it('answers 404 for an unknown venue', async () => {
    const res = await fetch(`${srv.url}/p/nowhere/captive-api`, { headers: { accept: 'application/json' } });
    assert.equal(res.status, 404);
  });
});
