import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';

const run = promisify(execFile);

eachBackend('two processes writing one ledger', (backend) => {
  let ctx: TestContext;
  afterEach(() => ctx.cleanup());

  it('keeps one unbroken chain and every event', async function () {
    this.timeout(120_000);
    ctx = await testContext({ backend });
    const venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
    const writer = (tag: string) =>
      run(process.execPath, [
        '--import',
        'tsx',
        'test/support/ledger-writer.ts',
        ctx.config.databaseUrl,
        venue.id,
        '150',
        tag,
      ]);
    await Promise.all([writer('1'), writer('2')]);
    const r = await verifyLedger(ctx.db, ctx.keys);
    assert.deepEqual(r, { ok: true, count: 600 });
    const subjects = await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM subjects');
    assert.equal(Number(subjects!.n), 300);
  });
});
