import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { retentionJob } from '../../portal/jobs/retention.ts';
import { runJob } from '../../portal/jobs/scheduler.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { grantStateById } from '../../portal/access/grant-state.ts';
import { guestGrant } from '../access/fixtures.ts';
import { blockDevice } from '../../portal/access/device-blocks.ts';
import { purgeDeviceBlocksJob } from '../../portal/jobs/purge-device-blocks.ts';

eachBackend('scheduled jobs', (backend) => {
  let ctx: TestContext;
  beforeEach(async () => (ctx = await testContext({ backend })));
  afterEach(() => ctx.cleanup());

  it('retention erases personal data after the venue period and keeps the events', async () => {
    const venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
    const month = 30.44 * 86_400_000;
    await signUp(ctx, venue.id, '+359881234567', { terms: 'granted' }, Date.now() - 25 * month);
    await signUp(ctx, venue.id, '+359887654321', { terms: 'granted' }, Date.now() - 23 * month);
    const result = await runJob(retentionJob, { db: ctx.db, log: ctx.log, now: Date.now }, ctx.metrics);
    assert.deepEqual(result, { erased: 1, sessions: 0 });
    const rows = await ctx.db.all<{ erased: number }>(
      'SELECT CASE WHEN number_enc IS NULL THEN 1 ELSE 0 END AS erased FROM subjects ORDER BY last_event_at',
    );
    assert.deepEqual(
      rows.map((r) => Number(r.erased)),
      [1, 0],
    );
    assert.deepEqual(await verifyLedger(ctx.db, ctx.keys), { ok: true, count: 2 });
    const run = await ctx.db.get<{ job: string; result: string }>('SELECT job, result FROM job_runs');
    assert.deepEqual(run, { job: 'retention', result: '{"erased":1,"sessions":0}' });
  });

  it('drops device blocks that have ended and keeps those in force', async () => {
    const venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
    const now = Date.now();
    await ctx.db.tx((tx) =>
      blockDevice(tx, { venueId: venue.id, mac: 'aa:bb:cc:00:00:01', hours: 1 }, now - 2 * 3_600_000),
    );
    await ctx.db.tx((tx) => blockDevice(tx, { venueId: venue.id, mac: 'aa:bb:cc:00:00:02', hours: 1 }, now));
    assert.deepEqual(await runJob(purgeDeviceBlocksJob, { db: ctx.db, log: ctx.log, now: Date.now }), { deleted: 1 });
    assert.deepEqual(
      (await ctx.db.all<{ mac: string }>('SELECT mac FROM device_blocks')).map((r) => r.mac),
      ['aa:bb:cc:00:00:02'],
    );
  });

  it('retention deletes RADIUS sessions after the network period, on its own clock', async () => {
    const venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
    const nas = await addNas(ctx.db, ctx.cipher, {
      name: 'ap1',
      address: '192.0.2.1',
      vendor: 'mikrotik',
      venueId: venue.id,
    });
    const month = 30.44 * 86_400_000;
    const session = (id: string, stoppedAt: number | null, nasId = nas.id) =>
      ctx.db.run(
        `INSERT INTO sessions (id, nas_id, acct_session_id, started_at, updated_at, stopped_at, interim_interval, stale_at) VALUES (?, ?, ?, ?, ?, ?, 300, ?)`,
        [id, nasId, id, 0, 0, stoppedAt, 0],
      );
    await session('old', Date.now() - 7 * month);
    await session('recent', Date.now() - 5 * month);
    await session('open', null);
    await session('orphan', Date.now() - 7 * month, 'removed-nas');
    const result = await runJob(retentionJob, { db: ctx.db, log: ctx.log, now: Date.now });
    assert.deepEqual(result, { erased: 0, sessions: 2 });
    const left = await ctx.db.all<{ id: string }>('SELECT id FROM sessions ORDER BY id');
    assert.deepEqual(
      left.map((r) => r.id),
      ['open', 'recent'],
    );
  });

  it('retention keeps counting the data a remembered device used after deleting the sessions behind it', async () => {
    const venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
    const nas = await addNas(ctx.db, ctx.cipher, {
      name: 'ap1',
      address: '192.0.2.1',
      vendor: 'mikrotik',
      venueId: venue.id,
    });
    const month = 30.44 * 86_400_000;
    const g = await guestGrant(ctx, venue, { mac: 'aa:bb:cc:00:00:09' });
    const session = (id: string, stoppedAt: number, octets: number) =>
      ctx.db.run(
        `INSERT INTO sessions (id, nas_id, acct_session_id, grant_id, started_at, updated_at, stopped_at, interim_interval, stale_at, input_octets, output_octets)
         VALUES (?, ?, ?, ?, 0, 0, ?, 300, 0, ?, ?)`,
        [id, nas.id, id, g.id, stoppedAt, octets, octets],
      );
    // A visit seven months ago (10,000 octets), the window renewed since, 600 octets in it.
    await session('old', Date.now() - 7 * month, 5000);
    await ctx.db.run('UPDATE grants SET used_base_octets = 10000 WHERE id = ?', [g.id]);
    await session('now', Date.now() - 60_000, 300);
    const used = async () => (await grantStateById(ctx.db, g.id, Date.now()))!.usedOctets;
    assert.equal(await used(), 600);
    assert.deepEqual(await runJob(retentionJob, { db: ctx.db, log: ctx.log, now: Date.now }), {
      erased: 0,
      sessions: 1,
    });
    assert.equal(await used(), 600, 'the window still counts what it used');
  });

  it('skips a job whose lock another process holds', async () => {
    const job = {
      name: 'slow',
      schedule: '* * * * *',
      run: async () => {
        await new Promise((r) => setTimeout(r, 100));
        return { done: 1 };
      },
    };
    const jctx = { db: ctx.db, log: ctx.log, now: Date.now };
    const [a, b] = await Promise.all([runJob(job, jctx), runJob(job, jctx)]);
    assert.deepEqual([a, b].filter(Boolean), [{ done: 1 }]);
  });
});
