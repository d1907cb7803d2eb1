// Re-consent after a publish: the consent stands for the wording it was given under, and
// a returning device is sent back to the portal to be asked again.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { Browser, formFields, lastCode, makeVenue } from '../guest/helpers.ts';
import { findVenueBySlug, updateVenueSettings } from '../../portal/venues/venues.ts';
import { outdatedConsents } from '../../portal/guest/reconsent.ts';
import { exportActiveSms } from '../../portal/consent/lists.ts';

describe('re-consent after the wording changes', function () {
  this.timeout(30_000);
  let ctx: TestContext;
  let srv: TestServer;
  before(async () => {
    ctx = await testContext();
    await makeVenue(ctx);
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  let device = 0;
  async function signUp(sms: boolean): Promise<string> {
    const b = new Browser(srv.url);
    const first = await b.get(`/p/cafe?mac=02:00:00:00:00:0${++device}`);
    const start = await b.post('/p/cafe/start', { ...formFields(first.html, '/start'), phone: '0881234567', consent_terms: 'yes', ...(sms ? { consent_sms: 'yes' } : {}) });
    const screen2 = await b.get(start.location!);
    const done = await b.post('/p/cafe/code', { ...formFields(screen2.html, '/code'), code: lastCode(ctx) });
    assert.ok(done.status < 400, done.html);
    const g = await ctx.db.get<{ id: string }>('SELECT id FROM grants ORDER BY created_at DESC LIMIT 1');
    return g!.id;
  }

  async function activeWording(): Promise<string[]> {
    const venue = (await findVenueBySlug(ctx.db, 'cafe'))!;
    let s = '';
    for await (const c of exportActiveSms(ctx.db, ctx.cipher, venue.id, 'json')) s += c;
    return JSON.parse(s).map((r: { notice_version: string }) => r.notice_version);
  }

  it('finds nothing to ask while the wording is unchanged', async () => {
    const grant = await signUp(true);
    assert.deepEqual(await outdatedConsents(ctx.db, grant), []);
  });

  it('asks again for the purposes whose wording changed, and the old consent keeps its old wording', async () => {
    const grant = await signUp(true);
    const before = await activeWording();
    const venue = (await findVenueBySlug(ctx.db, 'cafe'))!;
    await updateVenueSettings(ctx.db, venue.id, { ...venue.settings, wording: { en: { sms: 'Weekly offers from Café Central by SMS. Reply STOP to stop.' } } });
    assert.deepEqual(await outdatedConsents(ctx.db, grant), ['sms']);
    // Until the guest answers, the list still shows the consent under the wording it was given for.
    assert.deepEqual(await activeWording(), before);

    // Asked again at the portal, under the new wording: nothing left to ask.
    const again = await signUp(true);
    assert.deepEqual(await outdatedConsents(ctx.db, again), []);
    const after = await activeWording();
    assert.equal(after.length, 1);
    assert.notEqual(after[0], before[0], 'the list now names the new version');
  });
});
