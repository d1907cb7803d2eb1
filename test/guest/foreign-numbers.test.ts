// Issue 19.2: a tourist on screen 1. By default a venue in the EU/EEA takes numbers from
// the whole EU/EEA; a number from elsewhere is refused with the countries named in full,
// in the guest's language.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { Browser, ENTRY, formFields, makeVenue, outbox } from './helpers.ts';

describe('guest: numbers from abroad', function () {
  this.timeout(30_000);
  let ctx: TestContext;
  let srv: TestServer;
  before(async () => {
    ctx = await testContext();
    await makeVenue(ctx);
    await makeVenue(ctx, 'shop', { allowedCountries: ['BG', 'GR', 'RO'] });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  let device = 0;
  async function submit(slug: string, phone: string, lang: string) {
    const b = new Browser(srv.url, { lang });
    // A new device each time: the same one would be taken back to its flow's code screen.
    const entry = ENTRY.replace('AA-BB-CC-DD-EE-01', `AA-BB-CC-DD-EE-${String(++device).padStart(2, '0')}`);
    const f = formFields((await b.get(`/p/${slug}${entry}`)).html, '/start');
    return b.post(`/p/${slug}/start`, { ...f, phone, consent_terms: 'yes' });
  }
  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

  it('sends the code to an EU tourist at a Bulgarian venue with no country list', async () => {
    const r = await submit('cafe', '+49 151 23456789', 'en');
    assert.equal(r.status, 303, text(r.html));
    assert.ok(outbox(ctx).some((m) => m.to === '+4915123456789'));
  });

  it('refuses a number from outside, naming the countries in full (en and bg), with a 400', async () => {
    const en = await submit('cafe', '+381 64 123 4567', 'en');
    assert.equal(en.status, 400);
    assert.match(
      text(en.html),
      /Numbers from Serbia cannot be used here\. Please use a number from Bulgaria or another EU\/EEA country\./,
    );
    const bg = await submit('cafe', '+381 64 123 4567', 'bg');
    assert.equal(bg.status, 400);
    assert.match(
      text(bg.html),
      /Номера от Сърбия не могат да се използват тук\. Моля, използвайте номер от България или друга държава от ЕС\/ЕИП\./,
    );
  });

  it("names a venue's own list in full", async () => {
    const r = await submit('shop', '+49 151 23456789', 'en');
    assert.equal(r.status, 400);
    assert.match(
      text(r.html),
      /Numbers from Germany cannot be used here\. Please use a number from Bulgaria, Greece, or Romania\./,
    );
  });
});
