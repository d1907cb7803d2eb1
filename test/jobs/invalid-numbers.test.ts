import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { createVenue, updateVenueSettings } from '../../portal/venues/venues.ts';
import { exportActiveListJob } from '../../portal/jobs/export-active-list.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markInvalidNumbersJob } from '../../portal/jobs/mark-invalid-numbers.ts';
import { runJob } from '../../portal/jobs/scheduler.ts';
import { maySendOffers } from '../../portal/consent/lists.ts';
import { numberHash } from '../../portal/consent/subjects.ts';

eachBackend('marking numbers invalid', (backend) => {
  let ctx: TestContext;
  beforeEach(async () => (ctx = await testContext({ backend })));
  afterEach(() => ctx.cleanup());

  const message = (e164: string, status: string, at: number, code: string | null = null) =>
    ctx.db.run(
      `INSERT INTO sms_messages (id, to_masked, to_hash, purpose, status, gateway, error_code, attempts, created_at, updated_at)
       VALUES (?, 'x', ?, 'offer', ?, 'twilio', ?, 1, ?, ?)`,
      [randomUUID(), numberHash(ctx.keys, e164), status, code, at, at],
    );

  it('marks a number whose latest message was undeliverable, not one delivered since', async () => {
    const venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
    await signUp(ctx, venue.id, '+359881111111', { sms: 'granted' });
    await signUp(ctx, venue.id, '+359882222222', { sms: 'granted' });
    await message('+359881111111', 'undeliverable', 1000, '30005');
    await message('+359882222222', 'undeliverable', 1000, '30003');
    await message('+359882222222', 'delivered', 2000);

    const result = await runJob(markInvalidNumbersJob, { db: ctx.db, log: ctx.log, now: Date.now });
    assert.deepEqual(result, { marked: 1 });
    assert.equal(await maySendOffers(ctx.db, venue.id, numberHash(ctx.keys, '+359881111111')), false);
    assert.equal(await maySendOffers(ctx.db, venue.id, numberHash(ctx.keys, '+359882222222')), true);
    assert.deepEqual(await runJob(markInvalidNumbersJob, { db: ctx.db, log: ctx.log, now: Date.now }), { marked: 0 });
  });
});

describe('nightly clean-list export', () => {
  it('writes each asking venue its clean list as CSV, nothing for the others', async () => {
    const ctx = await testContext();
    try {
      const dir = join(ctx.dir, 'exports');
      const cafe = await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
      await createVenue(ctx.db, { slug: 'bar', name: 'Bar', country: 'BG' });
      await updateVenueSettings(ctx.db, cafe.id, { ...cafe.settings, activeListExportDir: dir });
      await signUp(ctx, cafe.id, '+359881111111', { sms: 'granted' });
      await signUp(ctx, cafe.id, '+359882222222', { sms: 'declined' });
      const now = () => Date.parse('2026-11-29T04:41:00Z');
      assert.deepEqual(await runJob(exportActiveListJob, { db: ctx.db, log: ctx.log, now, cipher: ctx.cipher }), {
        files: 1,
      });
      assert.deepEqual(readdirSync(dir), ['cafe-sms-active-2026-11-29.csv']);
      const lines = readFileSync(join(dir, 'cafe-sms-active-2026-11-29.csv'), 'utf8').trim().split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[1], /^\+359881111111,/);
    } finally {
      await ctx.cleanup();
    }
  });
});
