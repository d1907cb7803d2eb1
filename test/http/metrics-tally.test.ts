// Every HTTP request is counted and timed (portal/app.ts) into plain counts handed to
// prom-client when /metrics is read (portal/metrics.ts tally, histogramTally), not into
// prom-client's own Counter and Histogram, whose label hashing costs more per request.
// What /metrics shows must be what those would show for the same requests.
import assert from 'node:assert/strict';
import client from 'prom-client';
import { HTTP_BUCKETS, histogramTally } from '../../portal/metrics.ts';
import { testContext } from '../support/context.ts';
import { serve } from '../support/http.ts';

describe('the HTTP duration histogram, kept as plain counts', function () {
  it("reports what prom-client's Histogram reports for the same observations, as text and as JSON", async function () {
    const ours = new client.Registry();
    const theirs = new client.Registry();
    const name = 'foyer_http_request_duration_seconds';
    const tally = histogramTally<'route'>(ours, name, 'HTTP request duration by route', HTTP_BUCKETS);
    const real = new client.Histogram({
      name,
      help: 'HTTP request duration by route',
      labelNames: ['route'],
      buckets: HTTP_BUCKETS,
      registers: [theirs],
    });
    assert.equal(await ours.metrics(), await theirs.metrics(), 'empty');
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const routes = ['/p/:slug', '/p/:slug/code', 'unmatched', 'a "quoted" \\ route'];
    // Values on bucket bounds, between them, below the first and above the last.
    const values = [0, 0.005, 0.01, 2.5, 3, 100, ...HTTP_BUCKETS.map((b) => b * 0.999)];
    for (let i = 0; i < 5000; i++) {
      const route = routes[Math.floor(rnd() * routes.length)];
      const v = i < values.length * 4 ? values[i % values.length] : rnd() ** 4 * 4;
      tally.observe({ route }, route, v);
      real.observe({ route }, v);
    }
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
    ours.resetMetrics();
    real.reset();
    assert.equal(await ours.metrics(), await theirs.metrics(), 'after a reset');
  });

  it('counts and times requests per route and status through the app', async function () {
    const ctx = await testContext();
    const srv = await serve(ctx);
    try {
      for (let i = 0; i < 3; i++) await fetch(`${srv.url}/healthz`);
      await fetch(`${srv.url}/no-such-page`);
      const text = await (await fetch(`${srv.url}/metrics`)).text();
      assert.match(text, /^foyer_http_requests_total\{route="\/healthz",status="200"\} 3$/m);
      assert.match(text, /^foyer_http_requests_total\{route="unmatched",status="404"\} 1$/m);
      assert.match(text, /^foyer_http_request_duration_seconds_count\{route="\/healthz"\} 3$/m);
      assert.match(text, /^foyer_http_request_duration_seconds_bucket\{le="\+Inf",route="\/healthz"\} 3$/m);
      // The same route with another status is a series of its own (the tally's key names both);
      // and counts handed over once are not handed over again.
      await ctx.db.close();
      assert.equal((await fetch(`${srv.url}/healthz`)).status, 503);
      const again = await (await fetch(`${srv.url}/metrics`)).text();
      assert.match(again, /^foyer_http_requests_total\{route="\/healthz",status="200"\} 3$/m);
      assert.match(again, /^foyer_http_requests_total\{route="\/healthz",status="503"\} 1$/m);
      assert.match(again, /^foyer_http_request_duration_seconds_count\{route="\/healthz"\} 4$/m);
    } finally {
      await srv.close();
      await ctx.cleanup();
    }
  });
});
