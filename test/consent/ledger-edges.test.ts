// The ledger at the edges mutation testing found open: an empty append, a missing head,
// the subject's last-event time, evidence kept, a chain longer than verify's page, and a
// head that disagrees with the chain in its hash alone or its count alone.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { signUp, bulkEvents } from '../support/ledger-fixtures.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { appendEvents } from '../../portal/consent/append.ts';
import { verifyLedger, type VerifyResult } from '../../portal/consent/verify.ts';
import { ledgerMigrationSteps } from '../../portal/consent/head.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';

const reasonOf = (r: VerifyResult) => (r.ok ? '' : r.broken.reason);

eachBackend('consent ledger at its edges', (backend) => {
  let ctx: TestContext;
  let venue: Venue;
  beforeEach(async () => {
    ctx = await testContext({ backend });
    venue = await createVenue(ctx.db, { slug: 'edge', name: 'Edge', country: 'BG' });
  });
  afterEach(() => ctx.cleanup());

  const head = async () =>
    ctx.db.get<{ seq: number; hash: string; count: number }>('SELECT seq, hash, count FROM ledger_head WHERE id = 1');
  const event = (over: Record<string, unknown> = {}) => ({
    venueId: venue.id,
    purpose: 'terms' as const,
    decision: 'granted' as const,
    channel: 'portal' as const,
    numberHash: numberHash(ctx.keys, '+359881234567'),
    ...over,
  });

  it('an empty append writes nothing, the head included', async () => {
    await signUp(ctx, venue.id, '+359881234567');
    const before = await head();
    assert.deepEqual(await ctx.db.tx((tx) => appendEvents(tx, [], ctx.keys)), []);
    assert.deepEqual(await head(), before);
    assert.deepEqual(await verifyLedger(ctx.db, ctx.keys), { ok: true, count: 2 });
  });

  it('refuses to append without a ledger head, and says how to get one', async () => {
    await ctx.db.run('DELETE FROM ledger_head');
    await assert.rejects(
      ctx.db.tx((tx) => appendEvents(tx, [event()], ctx.keys)),
      /ledger_head_missing: run `npx foyer migrate`/,
    );
    assert.equal(Number((await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM consent_events'))!.n), 0);
  });

  it("keeps the evidence and moves the subject's last-event time", async () => {
    const [first] = await signUp(ctx, venue.id, '+359881234567', { terms: 'granted' }, 1_700_000_000_000);
    const subjectId = first.subject_id!;
    const [e] = await ctx.db.tx((tx) =>
      appendEvents(tx, [event({ subjectId, evidence: 'sms-keyword STOP from +359881234567' })], ctx.keys, {
        clock: () => 1_700_000_500_000,
      }),
    );
    assert.equal(e.evidence, 'sms-keyword STOP from +359881234567');
    const stored = await ctx.db.get<{ evidence: string }>('SELECT evidence FROM consent_events WHERE id = ?', [e.id]);
    assert.equal(stored!.evidence, 'sms-keyword STOP from +359881234567');
    const subject = await ctx.db.get<{ last_event_at: number }>('SELECT last_event_at FROM subjects WHERE id = ?', [
      subjectId,
    ]);
    assert.equal(Number(subject!.last_event_at), 1_700_000_500_000);
  });

  it('says the head is missing, and how to get one, when verifying without it', async () => {
    await signUp(ctx, venue.id, '+359881234567');
    await ctx.db.run('DELETE FROM ledger_head');
    assert.deepEqual(await verifyLedger(ctx.db, ctx.keys), {
      ok: false,
      count: 0,
      broken: { seq: null, id: null, reason: 'the ledger head is missing (run `npx foyer migrate`)' },
    });
  });

  it('under another SECRET_KEY names the first event, as altered or read with the wrong key, and as altered alone under the right key', async () => {
    const [first] = await signUp(ctx, venue.id, '+359881234567');
    const r = await verifyLedger(ctx.db, deriveKeys('another-secret-key-0123456789abcdef0123'));
    const seq = (await ctx.db.get<{ seq: number }>('SELECT seq FROM consent_events WHERE id = ?', [first.id]))!.seq;
    assert.deepEqual(r, {
      ok: false,
      count: 0,
      broken: {
        seq,
        id: first.id,
        reason:
          'its content no longer matches its keyed hash (altered, or SECRET_KEY is not the one that wrote this ledger)',
      },
    });
    // Under the right key the head is sealed, so the reason says altered and nothing else.
    if (ctx.db.dialect === 'sqlite') await ctx.db.run('DROP TRIGGER consent_events_no_update');
    else await ctx.db.run('DROP TRIGGER consent_events_no_update ON consent_events');
    await ctx.db.run(`UPDATE consent_events SET decision = 'refused' WHERE id = ?`, [first.id]);
    assert.deepEqual(await verifyLedger(ctx.db, ctx.keys), {
      ok: false,
      count: 0,
      broken: { seq, id: first.id, reason: 'its content no longer matches its keyed hash (altered)' },
    });
  });

  it('keeps one current decision per number and purpose, the last of an append winning', async () => {
    const n = numberHash(ctx.keys, '+359881234567');
    const appended = await ctx.db.tx((tx) =>
      appendEvents(
        tx,
        [
          event({ purpose: 'terms', decision: 'granted' }),
          event({ purpose: 'sms', decision: 'granted' }),
          event({ purpose: 'sms', decision: 'withdrawn' }),
        ],
        ctx.keys,
      ),
    );
    const state = await ctx.db.all<{
      purpose: string;
      decision: string;
      event_id: string;
      seq: number;
      event_seq: number;
    }>(
      `SELECT s.purpose, s.decision, s.event_id, s.seq, e.seq AS event_seq FROM consent_state s JOIN consent_events e ON e.id = s.event_id
       WHERE s.venue_id = ? AND s.number_hash = ? ORDER BY s.purpose`,
      [venue.id, n],
    );
    assert.deepEqual(
      state.map((s) => [s.purpose, s.decision, s.event_id, Number(s.seq)]),
      [
        ['sms', 'withdrawn', appended[2].id, Number(state[0].event_seq)],
        ['terms', 'granted', appended[0].id, Number(state[1].event_seq)],
      ],
    );
  });

  it('verifies past its first page of 5,000 events', async function () {
    this.timeout(120_000);
    await bulkEvents(ctx, venue.id, 5_003, 1_000);
    assert.deepEqual(await verifyLedger(ctx.db, ctx.keys), { ok: true, count: 5_003 });
    // The last event (page 2) altered, with the guards dropped as an attacker would.
    if (ctx.db.dialect === 'sqlite') await ctx.db.run('DROP TRIGGER consent_events_no_update');
    else await ctx.db.run('DROP TRIGGER consent_events_no_update ON consent_events');
    const last = await ctx.db.get<{ id: string }>('SELECT id FROM consent_events ORDER BY seq DESC LIMIT 1');
    await ctx.db.run(`UPDATE consent_events SET decision = 'withdrawn' WHERE id = ?`, [last!.id]);
    const r = await verifyLedger(ctx.db, ctx.keys);
    assert.equal(!r.ok && r.broken.id, last!.id);
    assert.equal(r.count, 5_002);
  });

  it('names a removed event, and a head that disagrees in its hash alone or its count alone', async () => {
    await signUp(ctx, venue.id, '+359881234567');
    const h = (await head())!;
    // Without the key, any change to the head breaks its seal; sealed again by the key's
    // holder (or a bug), a head that disagrees with the chain is still named.
    const reseal = () => ctx.db.tx((tx) => ledgerMigrationSteps(ctx.keys)['016_ledger_v2'](tx));
    await ctx.db.run('UPDATE ledger_head SET count = count + 1 WHERE id = 1');
    assert.match(reasonOf(await verifyLedger(ctx.db, ctx.keys)), /head fails its HMAC/, 'count alone, unsealed');
    await reseal();
    const byCount = await verifyLedger(ctx.db, ctx.keys);
    assert.equal(byCount.ok, false, 'count alone');
    assert.match(reasonOf(byCount), /ends after 2 events .* but the sealed head names 3/);
    await ctx.db.run('UPDATE ledger_head SET count = ?, hash = ? WHERE id = 1', [h.count, 'f'.repeat(64)]);
    await reseal();
    assert.match(reasonOf(await verifyLedger(ctx.db, ctx.keys)), /ends after 2 events/, 'hash alone');
    await ctx.db.run('UPDATE ledger_head SET hash = ?, seq = seq + 1 WHERE id = 1', [h.hash]);
    await reseal();
    assert.match(
      reasonOf(await verifyLedger(ctx.db, ctx.keys)),
      new RegExp(`ends after 2 events \\(seq ${h.seq}\\) but the sealed head names 2 \\(seq ${Number(h.seq) + 1}\\)`),
      'seq alone',
    );
    await ctx.db.run('UPDATE ledger_head SET seq = ? WHERE id = 1', [h.seq]);
    await reseal();
    assert.deepEqual(await verifyLedger(ctx.db, ctx.keys), { ok: true, count: 2 });

    const [, , third] = [
      ...(await signUp(ctx, venue.id, '+359887654321')),
      ...(await signUp(ctx, venue.id, '+359881111111')),
    ];
    if (ctx.db.dialect === 'sqlite') await ctx.db.run('DROP TRIGGER consent_events_no_delete');
    else await ctx.db.run('DROP TRIGGER consent_events_no_delete ON consent_events');
    const removed = await ctx.db.get<{ id: string }>('SELECT id FROM consent_events ORDER BY seq LIMIT 1 OFFSET 3');
    await ctx.db.run('DELETE FROM consent_events WHERE id = ?', [removed!.id]);
    const r = await verifyLedger(ctx.db, ctx.keys);
    assert.equal(!r.ok && r.broken.id, third.id);
    assert.equal(
      !r.ok && r.broken.reason,
      'does not follow the event before it (an event was removed, inserted or reordered)',
    );
  });
});
