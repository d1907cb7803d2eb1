import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';

describe('health, metrics and headers', () => {
  let ctx: TestContext;
  let srv: TestServer;
  afterEach(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  it('reports the database reachable, then not, on /healthz', async () => {
    ctx = await testContext();
    srv = await serve(ctx);
    const ok = await fetch(`${srv.url}/healthz`);
    assert.equal(ok.status, 200);
    assert.deepEqual((await ok.json()).database.reachable, true);
    await ctx.db.close();
    const down = await fetch(`${srv.url}/healthz`);
    assert.equal(down.status, 503);
    const body = await down.json();
    assert.equal(body.database.reachable, false);
    assert.ok(body.database.error);
  });

  it('says so on /healthz when the data was written under another SECRET_KEY', async () => {
    ctx = await testContext();
    const { addNas } = await import('../../portal/access/nas-clients.ts');
    const { fieldCipher } = await import('../../portal/crypto/fields.ts');
    const { deriveKeys } = await import('../../portal/crypto/keys.ts');
    const { createVenue } = await import('../../portal/venues/venues.ts');
    const venue = await createVenue(ctx.db, { slug: 'v', name: 'V', country: 'BG' });
    await addNas(ctx.db, fieldCipher(deriveKeys('a-different-key-0123456789abcdef012345')), {
      name: 'ap',
      address: '192.0.2.1',
      vendor: 'generic',
      venueId: venue.id,
    });
    srv = await serve(ctx);
    const res = await fetch(`${srv.url}/healthz`);
    assert.equal(res.status, 503);
    assert.match((await res.json()).database.error, /SECRET_KEY/);
  });

  it('serves /metrics to loopback by default and counts requests by route', async () => {
    ctx = await testContext();
    srv = await serve(ctx);
    await fetch(`${srv.url}/healthz`);
    const res = await fetch(`${srv.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /foyer_http_requests_total\{route="\/healthz",status="200"\} 1/);
    assert.match(text, /^foyer_ledger_events 0$/m);
  });

  it('requires the token when METRICS_TOKEN is set', async () => {
    ctx = await testContext({ env: { METRICS_TOKEN: 'a-very-long-metrics-token' } });
    srv = await serve(ctx);
    assert.equal((await fetch(`${srv.url}/metrics`)).status, 403);
    assert.equal(
      (await fetch(`${srv.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status,
      403,
    );
    assert.equal(
      (await fetch(`${srv.url}/metrics`, { headers: { authorization: 'Bearer a-very-long-metrics-token' } })).status,
      200,
    );
  });

  it('refuses /metrics from addresses outside METRICS_ALLOW', async () => {
    ctx = await testContext({ env: { METRICS_ALLOW: '10.0.0.0/8' } });
    srv = await serve(ctx);
    assert.equal((await fetch(`${srv.url}/metrics`)).status, 403);
  });

  it('sends strict security headers and a localized 404 page', async () => {
    ctx = await testContext();
    srv = await serve(ctx);
    const res = await fetch(`${srv.url}/no-such-page`, {
      headers: { 'accept-language': 'bg-BG,bg;q=0.9,en;q=0.5', accept: 'text/html' },
    });
    assert.equal(res.status, 404);
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    const html = await res.text();
    assert.match(html, /<html lang="bg">/);
    assert.match(html, /На този адрес няма страница/);
  });

  it('answers an oversized or malformed body with a 4xx, not a 500', async () => {
    ctx = await testContext();
    srv = await serve(ctx);
    const big = await fetch(`${srv.url}/healthz`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=' + 'x'.repeat(100_000),
    });
    assert.equal(big.status, 413);
    const bad = await fetch(`${srv.url}/healthz`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{nope',
    });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, 'bad_request');
  });
});
