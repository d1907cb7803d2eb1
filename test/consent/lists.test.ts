import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { exportActiveSms, exportSuppression, maySendOffers, markNumberInvalid } from '../../portal/consent/lists.ts';
import { appendEvents } from '../../portal/consent/append.ts';
import { numberHash, eraseSubject } from '../../portal/consent/subjects.ts';

async function json(gen: AsyncGenerator<string>) {
  let s = '';
  for await (const c of gen) s += c;
  return JSON.parse(s);
}

eachBackend('the clean list and the suppression list', (backend) => {
  let ctx: TestContext;
  let venue: Venue;
  beforeEach(async () => {
    ctx = await testContext({ backend });
    venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
  });
  afterEach(() => ctx.cleanup());

  const withdraw = (e164: string, venueId = venue.id) =>
    ctx.db.tx((tx) =>
      appendEvents(
        tx,
        [
          {
            venueId,
            purpose: 'sms',
            decision: 'withdrawn',
            channel: 'sms-keyword',
            numberHash: numberHash(ctx.keys, e164),
            evidence: 'STOP',
          },
        ],
        ctx.keys,
      ),
    );

  it('lists exactly the numbers whose latest SMS decision is granted', async () => {
    await signUp(ctx, venue.id, '+359881111111', { terms: 'granted', sms: 'granted' });
    await signUp(ctx, venue.id, '+359882222222', { terms: 'granted', sms: 'declined' });
    await signUp(ctx, venue.id, '+359883333333', { terms: 'granted', sms: 'granted' });
    await withdraw('+359883333333');
    const [event] = await signUp(ctx, venue.id, '+359884444444', { sms: 'granted' });

    const active = await json(exportActiveSms(ctx.db, ctx.cipher, venue.id, 'json'));
    assert.deepEqual(
      active.map((r: { subject_number: string }) => r.subject_number),
      ['+359881111111', '+359884444444'],
    );
    assert.equal(active[1].record_id, event.id);
    assert.equal(active[1].language, 'en');

    const suppressed = await json(exportSuppression(ctx.db, venue.id, 'json'));
    assert.deepEqual(suppressed.map((r: { reason: string }) => r.reason).sort(), ['declined', 'withdrawn']);
    assert.ok(suppressed.every((r: { number_hash: string }) => /^[0-9a-f]{64}$/.test(r.number_hash)));
    assert.equal(await maySendOffers(ctx.db, venue.id, numberHash(ctx.keys, '+359883333333')), false);
    assert.equal(await maySendOffers(ctx.db, venue.id, numberHash(ctx.keys, '+359881111111')), true);
  });

  it('takes a re-grant after a withdrawal back onto the list', async () => {
    await signUp(ctx, venue.id, '+359881111111', { sms: 'granted' });
    await withdraw('+359881111111');
    assert.equal((await json(exportActiveSms(ctx.db, ctx.cipher, venue.id, 'json'))).length, 0);
    await signUp(ctx, venue.id, '+359881111111', { sms: 'granted' });
    assert.equal((await json(exportActiveSms(ctx.db, ctx.cipher, venue.id, 'json'))).length, 1);
  });

  it('leaves out invalid numbers and keeps them on the suppression list', async () => {
    await signUp(ctx, venue.id, '+359881111111', { sms: 'granted' });
    await markNumberInvalid(ctx.db, numberHash(ctx.keys, '+359881111111'), 'unknown subscriber');
    assert.equal((await json(exportActiveSms(ctx.db, ctx.cipher, venue.id, 'json'))).length, 0);
    const suppressed = await json(exportSuppression(ctx.db, venue.id, 'json'));
    assert.match(suppressed[0].reason, /invalid-number/);
  });

  it('keeps the suppression entry after the person is erased', async () => {
    const events = await signUp(ctx, venue.id, '+359881111111', { sms: 'granted' });
    await withdraw('+359881111111');
    await eraseSubject(ctx.db, events[0].subject_id!);
    const suppressed = await json(exportSuppression(ctx.db, venue.id, 'json'));
    assert.equal(suppressed.length, 1);
    assert.equal(suppressed[0].number_hash, numberHash(ctx.keys, '+359881111111'));
  });

  it('keeps venues apart', async () => {
    const other = await createVenue(ctx.db, { slug: 'bar', name: 'Bar', country: 'BG' });
    await signUp(ctx, venue.id, '+359881111111', { sms: 'granted' });
    await signUp(ctx, other.id, '+359881111111', { sms: 'granted' });
    await withdraw('+359881111111', other.id);
    assert.equal((await json(exportActiveSms(ctx.db, ctx.cipher, venue.id, 'json'))).length, 1);
    assert.equal((await json(exportActiveSms(ctx.db, ctx.cipher, other.id, 'json'))).length, 0);
  });
});
