// The per-address bound on flows started (portal/signup/start-limit.ts) must hold on its
// own, not only behind the per-address SMS limit: a script firing screen 1 submissions at
// once from one address must not start more flows than the limit, even where the SMS
// limit counts none of the address's earlier codes. Here the SMS limit is taken out of the
// way as the product does for a code the gateway refused (settleSend(..., false): a
// refused send is not counted), so the start limit is the only bound left; a check that
// reads the flows, then writes, lets every parallel submission through it.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { eachBackend } from '../support/backends.ts';
import { Browser, formFields, makeVenue } from '../guest/helpers.ts';
import { settleSend } from '../../portal/verification/limits.ts';
import { startLimit } from '../../portal/signup/start-limit.ts';

const EARLIER = 50;
const PARALLEL = 100;

eachBackend('the flow-start limit under parallel submissions from one address', (backend) => {
  let ctx: TestContext;
  let srv: TestServer;
  const limits = { perIpHour: 60, perNumber10Min: 100, perNasHour: 1_000_000, perCountryHour: 1_000_000 };

  before(async () => {
    ctx = await testContext({ backend });
    await makeVenue(ctx, 'cafe', { limits: { ...limits, venueDaily: 10_000_000 } });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv?.close();
    await ctx?.cleanup();
  });

  const page = async (i: number) => {
    const hex = (x: number) => (x & 255).toString(16).padStart(2, '0');
    const r = await new Browser(srv.url, { lang: 'bg' }).get(
      `/p/cafe?mac=02-F2-00-00-${hex(i >> 8)}-${hex(i)}&nas=ap-1`,
    );
    assert.equal(r.status, 200, r.html.slice(0, 300));
    return formFields(r.html, '/start');
  };
  const submit = (f: Record<string, string>, i: number) =>
    new Browser(srv.url, { lang: 'bg' }).post('/p/cafe/start', {
      ...f,
      phone: `0887${String(500000 + i)}`,
      consent_terms: 'yes',
    });
  const flows = async () => Number((await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM guest_flows'))!.n);

  it(`${PARALLEL} submissions at once after ${EARLIER} earlier flows: no more flows than the start limit allows`, async function () {
    this.timeout(120_000);
    const max = startLimit({ perIpHour: limits.perIpHour });
    assert.equal(max, 60, 'the bound this test is about');
    for (let i = 0; i < EARLIER; i++) assert.equal((await submit(await page(i), i)).status, 303);
    // The SMS limit no longer sees the address's earlier codes; the start limit still sees their flows.
    const sends = await ctx.db.all<{ id: number }>('SELECT id FROM verification_sends');
    assert.equal(sends.length, EARLIER);
    for (const s of sends) await settleSend(ctx.db, Number(s.id), false);

    const pages = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => page(EARLIER + i)));
    const answers = await Promise.all(pages.map((f, i) => submit(f, EARLIER + i)));
    const statuses = answers.map((a) => a.status);
    assert.deepEqual([...new Set(statuses)].sort(), [303, 429], JSON.stringify(statuses));
    for (const a of answers.filter((x) => x.status === 429)) {
      assert.ok(Number(a.headers.get('retry-after')) > 0, 'Retry-After');
      assert.match(a.html, /<html lang="bg">/);
    }
    assert.equal(await flows(), max, `flows started from one address in ten minutes (limit ${max})`);
    assert.equal(statuses.filter((s) => s === 303).length, max - EARLIER, 'the submissions told a code is on its way');
  });
});
