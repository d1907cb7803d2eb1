import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { createVenue, updateVenueSettings, type Venue } from '../../portal/venues/venues.ts';
import { handleKeyword } from '../../portal/sms/keyword-handler.ts';
import { maySendOffers } from '../../portal/consent/lists.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { loadTemplateVersion } from '../../portal/consent/template-versions.ts';

eachBackend('inbound keywords change consent', (backend) => {
  let ctx: TestContext;
  let cafe: Venue;
  let bar: Venue;
  const A = '+359881111111';
  beforeEach(async () => {
    ctx = await testContext({ backend });
    cafe = await createVenue(ctx.db, { slug: 'cafe', name: 'Café Central', country: 'BG' });
    bar = await createVenue(ctx.db, { slug: 'bar', name: 'Bar Nine', country: 'BG' });
  });
  afterEach(() => ctx.cleanup());

  const sms = (text: string, from = A) =>
    handleKeyword(
      { ...ctx, t: ctx.views.t },
      { from, to: '+359700000', text, gateway: 'http', ref: `r-${Math.random()}`, receivedAt: Date.now() },
    );
  const may = (venue: Venue, e164 = A) => maySendOffers(ctx.db, venue.id, numberHash(ctx.keys, e164));

  it('STOP withdraws at the venue the number receives offers from, keeps the text as evidence, confirms', async () => {
    await signUp(ctx, cafe.id, A, { sms: 'granted' });
    assert.equal(await may(cafe), true);
    const r = await sms('Stop!');
    assert.equal(r.action, 'stop');
    assert.deepEqual(r.venueIds, [cafe.id]);
    assert.match(r.reply!, /Café Central: .*no more SMS offers|Café Central: повече няма/);
    assert.equal(await may(cafe), false);
    const ev = await ctx.db.get<{ decision: string; channel: string; evidence: string }>(
      `SELECT decision, channel, evidence FROM consent_events ORDER BY seq DESC LIMIT 1`,
    );
    assert.deepEqual(ev, { decision: 'withdrawn', channel: 'sms-keyword', evidence: 'Stop!' });
    assert.equal((await verifyLedger(ctx.db, ctx.keys)).ok, true);
  });

  it('answers in the language of the last consent (Bulgarian СТОП)', async () => {
    await signUp(ctx, cafe.id, A, { sms: 'granted' }); // fixture consents in English
    const r = await sms('стоп');
    assert.equal(r.action, 'stop');
    assert.match(r.reply!, /no more SMS offers/);
    const bg = await sms('ПОМОЩ', '+359889999999');
    assert.match(bg.reply!, /СТОП за отказ/);
  });

  it('STOPALL withdraws at every venue', async () => {
    await signUp(ctx, cafe.id, A, { sms: 'granted' });
    await signUp(ctx, bar.id, A, { sms: 'granted' });
    const r = await sms('stop all');
    assert.equal(r.action, 'stop-all');
    assert.equal(r.venueIds.length, 2);
    assert.equal(await may(cafe), false);
    assert.equal(await may(bar), false);
  });

  it('START restores consent only for a number that had granted before', async () => {
    await signUp(ctx, cafe.id, A, { sms: 'granted' });
    await sms('STOP');
    const r = await sms('start');
    assert.equal(r.action, 'start');
    assert.equal(await may(cafe), true);

    await signUp(ctx, bar.id, '+359882222222', { sms: 'declined' });
    const refused = await sms('UNSTOP', '+359882222222');
    assert.equal(refused.action, 'start-refused');
    assert.equal(await may(bar, '+359882222222'), false);
  });

  it('HELP names the venue, how to stop and the contact', async () => {
    await signUp(ctx, cafe.id, A, { sms: 'granted' });
    await updateVenueSettings(ctx.db, cafe.id, { ...cafe.settings, contact: 'hello@cafe.example' });
    const r = await sms('help');
    assert.equal(r.action, 'help');
    assert.match(r.reply!, /Café Central.*STOP.*hello@cafe\.example/);
  });

  it('opts in by the venue keyword, naming the reply as the notice version', async () => {
    await updateVenueSettings(ctx.db, bar.id, { ...bar.settings, smsKeyword: 'JOIN BAR' });
    const r = await sms('join bar', '+447700900123');
    assert.equal(r.action, 'optin');
    assert.match(r.reply!, /Bar Nine: you joined .* Reply STOP/);
    assert.equal(await may(bar, '+447700900123'), true);
    const ev = await ctx.db.get<{ template_version_id: string; channel: string; evidence: string }>(
      'SELECT template_version_id, channel, evidence FROM consent_events ORDER BY seq DESC LIMIT 1',
    );
    assert.equal(ev!.channel, 'sms-keyword');
    assert.equal(ev!.evidence, 'join bar');
    const version = await loadTemplateVersion<{ reply: string }>(ctx.db, ev!.template_version_id);
    assert.equal(version!.content.reply, r.reply);
  });

  it('flags a plain-language request for the operator instead of ignoring it', async () => {
    await signUp(ctx, cafe.id, A, { sms: 'granted' });
    const r = await sms('please stop texting me');
    assert.equal(r.action, 'flagged');
    const flag = await ctx.db.get<{ venue_id: string; text: string; from_masked: string }>(
      'SELECT venue_id, text, from_masked FROM inbound_flags',
    );
    assert.deepEqual(flag, { venue_id: cafe.id, text: 'please stop texting me', from_masked: '+35988****111' });
    assert.equal(await may(cafe), true, 'a flag is not a withdrawal by itself');
  });

  it('ignores ordinary chatter', async () => {
    assert.equal((await sms('thanks, great coffee')).action, 'ignored');
  });
});
