// The consent pages' lookups as functions, on SQLite and PostgreSQL: every filter of the
// search (and values that are not filters), the day bounds, the venue they are scoped to,
// the erased flag, and the suppression list (latest SMS decision only). From the
// survivors of `npm run mutate -- permissions`.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { appendEvents } from '../../portal/consent/append.ts';
import { eraseSubject, numberHash } from '../../portal/consent/subjects.ts';
import {
  latestDecisions,
  normaliseNumber,
  searchEvents,
  subjectEvents,
  suppressionCsv,
} from '../../portal/consent/search.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-10T00:00:00Z');

eachBackend('consent search and suppression list', (backend) => {
  let ctx: TestContext;
  let venue: Venue;
  let other: Venue;
  const A = '+359881111111',
    B = '+359882222222',
    C = '+359883333333';

  before(async () => {
    ctx = await testContext({ backend });
    venue = await createVenue(ctx.db, { slug: 'search', name: 'Search', country: 'BG' });
    other = await createVenue(ctx.db, { slug: 'elsewhere', name: 'Elsewhere', country: 'BG' });
    // In time order: the ledger's time never runs backwards, so a past event comes first.
    await signUp(ctx, other.id, A, { terms: 'granted', sms: 'declined' }, T0 + 10);
    await signUp(ctx, venue.id, A, { terms: 'granted', sms: 'granted' }, T0 + 10); // 10 March
    await signUp(ctx, venue.id, B, { terms: 'granted', sms: 'declined' }, T0 + DAY + 10); // 11 March
    await signUp(ctx, venue.id, C, { terms: 'granted', sms: 'granted' }, T0 + 2 * DAY - 1); // 11 March, last ms
    await ctx.db.tx((tx) =>
      appendEvents(
        tx,
        [
          {
            venueId: venue.id,
            purpose: 'sms',
            decision: 'withdrawn',
            channel: 'sms-keyword',
            numberHash: numberHash(ctx.keys, C),
          },
        ],
        ctx.keys,
        { clock: () => T0 + 2 * DAY + 5 },
      ),
    ); // 12 March
  });
  after(() => ctx?.cleanup());

  const search = async (f: Record<string, string>, limit?: number) =>
    (await searchEvents(ctx.db, ctx.keys, ctx.cipher, venue, f, limit)).events.map(
      (e) => `${e.purpose}:${e.decision}:${new Date(Number(e.at)).toISOString().slice(8, 10)}`,
    );

  it('scopes to the venue, newest first, up to the limit', async () => {
    assert.equal((await search({})).length, 7, "the other venue's events are not found");
    assert.deepEqual(await search({}, 2), ['sms:withdrawn:12', 'sms:granted:11']);
  });

  it('filters by number in any written form, and says when a number is not one', async () => {
    assert.deepEqual(await search({ number: ' 0881 111 111 ' }), ['sms:granted:10', 'terms:granted:10']);
    assert.deepEqual(await search({ number: '00359882222222' }), ['sms:declined:11', 'terms:granted:11']);
    const bad = await searchEvents(ctx.db, ctx.keys, ctx.cipher, venue, { number: '12' });
    assert.deepEqual(bad, { events: [], invalidNumber: true });
    assert.equal((await searchEvents(ctx.db, ctx.keys, ctx.cipher, venue, { number: '0881111111' })).e164, A);
    // 00 is the international prefix: a number from abroad is read as that country's, not
    // as a national number of the venue's country (+359 44 …).
    assert.equal(
      (await searchEvents(ctx.db, ctx.keys, ctx.cipher, venue, { number: '0044 20 7946 0958' })).e164,
      '+442079460958',
    );
    // Also where the country's own international prefix is not 00 (011 in the US, 010 in
    // Japan), and with the spaces a pasted number brings along.
    assert.equal(normaliseNumber(' 0044 20 7946 0958 ', 'US'), '+442079460958');
    assert.equal(normaliseNumber('0044 20 7946 0958', 'JP'), '+442079460958');
    // Digits enough to try, but nothing libphonenumber can read at all: refused, not a 500.
    for (const number of ['++1234', '+0001234', '1234567890123456789012']) {
      assert.deepEqual(
        await searchEvents(ctx.db, ctx.keys, ctx.cipher, venue, { number }),
        { events: [], invalidNumber: true },
        number,
      );
    }
    assert.equal((await search({ number: '   ' })).length, 7, 'a blank number field is no filter');
    assert.equal(
      (await search({ from: '+002026-03-12' })).length,
      7,
      'a date Date.parse reads but the form never sends',
    );
  });

  it('filters by purpose, decision and channel, and ignores values that are none of them', async () => {
    assert.deepEqual(await search({ purpose: 'sms' }), [
      'sms:withdrawn:12',
      'sms:granted:11',
      'sms:declined:11',
      'sms:granted:10',
    ]);
    assert.deepEqual(await search({ decision: 'declined' }), ['sms:declined:11']);
    assert.deepEqual(await search({ channel: 'sms-keyword' }), ['sms:withdrawn:12']);
    assert.equal((await search({ purpose: 'nonsense', decision: 'x', channel: 'y' })).length, 7);
  });

  it('takes whole UTC days, both ends included, and ignores dates that are not dates', async () => {
    assert.deepEqual(await search({ from: '2026-03-11', to: '2026-03-11', purpose: 'sms' }), [
      'sms:granted:11',
      'sms:declined:11',
    ]);
    assert.deepEqual(await search({ from: '2026-03-12' }), ['sms:withdrawn:12']);
    assert.deepEqual(await search({ to: '2026-03-10' }), ['sms:granted:10', 'terms:granted:10']);
    assert.equal((await search({ from: '2026-02-30x', to: 'soon' })).length, 7);
  });

  it('marks the events of an erased person', async () => {
    const [e] = await subjectEvents(ctx.db, venue.id, numberHash(ctx.keys, B));
    const before = (await searchEvents(ctx.db, ctx.keys, ctx.cipher, venue, { number: B })).events;
    assert.deepEqual(
      before.map((x) => x.subject_erased),
      [false, false],
    );
    await eraseSubject(ctx.db, e.subject_id!);
    const after = (await searchEvents(ctx.db, ctx.keys, ctx.cipher, venue, { number: B })).events;
    assert.deepEqual(
      after.map((x) => x.subject_erased),
      [true, true],
    );
  });

  it("reads one person's events at one venue in order, and their latest decision per purpose", async () => {
    const events = await subjectEvents(ctx.db, venue.id, numberHash(ctx.keys, C));
    assert.deepEqual(
      events.map((e) => `${e.purpose}:${e.decision}`),
      ['terms:granted', 'sms:granted', 'sms:withdrawn'],
    );
    const latest = latestDecisions(events);
    assert.deepEqual(Object.fromEntries(Object.entries(latest).map(([k, v]) => [k, v.decision])), {
      terms: 'granted',
      sms: 'withdrawn',
    });
    assert.deepEqual(await subjectEvents(ctx.db, other.id, numberHash(ctx.keys, C)), []);
  });

  it('lists for suppression whoever last declined or withdrew SMS at the venue, erased people by hash', async () => {
    let csv = '';
    for await (const chunk of suppressionCsv(ctx.db, (s) => ctx.cipher.decrypt(s), venue.id)) csv += chunk;
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'number,number_hash,decision,decided_at');
    const rows = lines
      .slice(1)
      .map((l) => l.split(','))
      .sort((a, b) => a[2].localeCompare(b[2]));
    assert.deepEqual(
      rows.map((r) => [r[0], r[1], r[2], r[3]]),
      [
        ['', numberHash(ctx.keys, B), 'declined', new Date(T0 + DAY + 10).toISOString()], // erased above: no number, still listed
        [C, numberHash(ctx.keys, C), 'withdrawn', new Date(T0 + 2 * DAY + 5).toISOString()],
      ],
    );
  });
});
