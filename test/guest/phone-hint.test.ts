// Issue 19 point 2's leftover: screen 1's hint under the number agrees with the numbers the
// venue accepts (its own country list, or by default its country and, in the EU/EEA, the
// EU/EEA), in English and Bulgarian. Before, it said "numbers from abroad: start with +"
// whatever the setting, also where abroad was refused.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { Browser, ENTRY, makeVenue } from './helpers.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';

describe('guest: the number hint says whose numbers the venue takes (issue 19.2)', function () {
  this.timeout(30_000);
  let ctx: TestContext;
  let srv: TestServer;
  before(async () => {
    ctx = await testContext();
    await makeVenue(ctx, 'eu');
    await makeVenue(ctx, 'home', { allowedCountries: ['BG'] });
    await makeVenue(ctx, 'list', { allowedCountries: ['BG', 'GR', 'RO'] });
    await createVenue(ctx.db, {
      slug: 'belgrade',
      name: 'Kafana',
      country: 'RS',
      settings: venueSettingsSchema.parse({}),
    });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  const hint = async (slug: string, lang: string) => {
    const r = await new Browser(srv.url, { lang }).get(`/p/${slug}${ENTRY}`);
    assert.equal(r.status, 200);
    return /<p class="hint" id="phone-hint">([^<]*)<\/p>/.exec(r.html)?.[1];
  };

  for (const [slug, en, bg] of [
    ['eu', 'From the EU/EEA: + and the country code.', 'От ЕС/ЕИП: + и кода на държавата.'],
    ['home', 'Only numbers from Bulgaria.', 'Само номера от България.'],
    ['list', 'From Greece or Romania: + and the country code.', 'От Гърция или Румъния: + и кода на държавата.'],
    ['belgrade', 'Only numbers from Serbia.', 'Само номера от Сърбия.'],
  ]) {
    it(`${slug}: "${en}" / "${bg}"`, async () => {
      assert.equal(await hint(slug, 'en'), en);
      assert.equal(await hint(slug, 'bg'), bg);
    });
  }
});
