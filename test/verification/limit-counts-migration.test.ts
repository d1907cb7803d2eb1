// Migration 018 moves the send limits from the log of sends to counters per minute: an
// upgrade must not reset a limit. A database as it was before 018 (its sends and flows
// written, the counters not yet there) is migrated, and the limits the guests had reached
// still hold, with the same "try again at"; failed sends still do not count.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { migrate } from '../../portal/store/migrate.ts';
import { ledgerMigrationSteps } from '../../portal/consent/head.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { sendBlocked, type SendKeys } from '../../portal/verification/limits.ts';
import { flowStartKeys } from '../../portal/signup/start-limit.ts';

const MIN = 60_000;

eachBackend('an upgrade to the counted send limits (migration 018)', (backend) => {
  let ctx: TestContext;
  after(() => ctx?.cleanup());

  it('keeps the limits reached before it, with the same retry time, and leaves failed sends out', async () => {
    ctx = await testContext({ backend });
    const venue = await createVenue(ctx.db, {
      slug: 'upgrade',
      name: 'Upgrade',
      country: 'BG',
      settings: venueSettingsSchema.parse({ limits: { perIpHour: 60 } }),
    });
    // Back to the schema before 018: its table gone, the migration not applied.
    await ctx.db.run('DROP TABLE verification_counts');
    await ctx.db.run(`DELETE FROM schema_migrations WHERE id = '018_limit_counts'`);
    const t0 = 1_990_000_020_000;
    const keys: SendKeys = {
      venueId: venue.id,
      numberHash: 'n-upgrade',
      macHash: 'm-upgrade',
      clientIp: '10.3.0.1',
      nasId: null,
      callingCode: '359',
    };
    // What 017 wrote: three sends of one number in ten minutes (its limit), a failed one,
    // and 60 flows from one address (its flow-start limit), each with the code it started.
    const send = (at: number, status: string, numberHash = keys.numberHash) =>
      ctx.db.run(
        `INSERT INTO verification_sends (at, venue_id, verification_id, status, number_hash, mac_hash, client_ip, nas_id, country_code)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, '359')`,
        [at, venue.id, `v-${at}-${status}`, status, numberHash, `m-${numberHash}`, keys.clientIp],
      );
    for (const [i, at] of [t0, t0 + MIN + 5_000, t0 + 2 * MIN].entries()) await send(at, i === 1 ? 'reserved' : 'sent');
    await send(t0 + 3 * MIN, 'failed');
    for (let i = 0; i < 60; i++) {
      await ctx.db.run(
        `INSERT INTO guest_flows (id, venue_id, state, handoff_enc, created_at, updated_at, expires_at, client_ip)
         VALUES (?, ?, 'code_sent', 'x', ?, ?, ?, ?)`,
        [`flow-${i}`, venue.id, t0 + 4 * MIN, t0 + 4 * MIN, t0 + 60 * MIN, keys.clientIp],
      );
    }
    const now = t0 + 5 * MIN;
    assert.deepEqual(await migrate(ctx.db, ledgerMigrationSteps(ctx.keys)), ['018_limit_counts']);

    assert.deepEqual(
      await sendBlocked(ctx.db, venue.settings.limits, keys, now),
      { scope: 'number-10min', retryAt: t0 + 10 * MIN },
      'the number had its 3 codes in ten minutes (the failed one not counted)',
    );
    const other = { ...keys, numberHash: 'n-other', macHash: 'm-other' };
    assert.equal(await sendBlocked(ctx.db, venue.settings.limits, other, now), undefined, 'another number may');
    assert.deepEqual(
      await sendBlocked(ctx.db, venue.settings.limits, flowStartKeys(venue.settings.limits, other), now),
      { scope: 'flow-start', retryAt: t0 + 14 * MIN },
      'but not start a 61st flow from the address',
    );
  });
});
