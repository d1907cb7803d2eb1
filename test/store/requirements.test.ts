// Conditions a transaction's COMMIT checks itself (store/requirements.ts, migration 019):
// a requirement that holds lets the transaction commit; one that does not fails it whole,
// with StoreError 'unmet', nothing of it written, whatever came before or after it; a
// compare-and-set must change exactly one row. And the one such write of the guest path, a
// right code used with the COMMIT (verification's useCodeIn): used once, never by a wrong,
// used or expired guess. SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { isUnmet, requireIn, requireOneChanged } from '../../portal/store/requirements.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { codeSentFor, issueCode, useCodeIn } from '../../portal/verification/verifications.ts';

eachBackend('conditions checked by the COMMIT', (backend) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await testContext({ backend });
    for (const name of ['a', 'b', 'c'])
      await ctx.db.run('INSERT INTO job_locks (name, holder, expires_at) VALUES (?, ?, 0)', [name, 'nobody']);
  });
  afterEach(() => ctx?.cleanup());

  const holders = async () =>
    (await ctx.db.all<{ name: string; holder: string }>('SELECT name, holder FROM job_locks ORDER BY name')).map(
      (r) => `${r.name}:${r.holder}`,
    );
  const unmet = (err: unknown) => isUnmet(err);

  it('commits when every requirement holds, and fails whole, writing nothing, when one does not', async () => {
    await ctx.db.tx(async (tx) => {
      tx.defer(`UPDATE job_locks SET holder = 'x' WHERE name = 'a'`);
      requireIn(tx, `SELECT 1 FROM job_locks WHERE name = ? AND holder = 'x'`, ['a']);
      tx.defer(`UPDATE job_locks SET holder = 'y' WHERE name = 'b'`);
    });
    assert.deepEqual(await holders(), ['a:x', 'b:y', 'c:nobody']);
    await assert.rejects(
      ctx.db.tx(async (tx) => {
        tx.defer(`UPDATE job_locks SET holder = 'z' WHERE name = 'a'`);
        requireIn(tx, `SELECT 1 FROM job_locks WHERE name = ? AND holder = 'x'`, ['a']);
        tx.defer(`UPDATE job_locks SET holder = 'z' WHERE name = 'c'`);
      }),
      unmet,
    );
    assert.deepEqual(await holders(), ['a:x', 'b:y', 'c:nobody'], 'neither write before nor after it');
    assert.equal(Number((await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM tx_requirements'))!.n), 0);
  });

  it('a compare-and-set commits when it changed one row, and fails whole when it changed none or two', async () => {
    const set = (where: string) =>
      ctx.db.tx(async (tx) => {
        requireOneChanged(tx, `UPDATE job_locks SET holder = 'cas' WHERE ${where}`);
        tx.defer(`UPDATE job_locks SET expires_at = 1 WHERE name = 'c'`);
      });
    await assert.rejects(set(`name = 'none'`), unmet);
    await assert.rejects(set(`name IN ('a', 'b')`), unmet);
    assert.deepEqual(await holders(), ['a:nobody', 'b:nobody', 'c:nobody']);
    await set(`name = 'a'`);
    assert.deepEqual(await holders(), ['a:cas', 'b:nobody', 'c:nobody']);
    assert.equal(
      Number((await ctx.db.get<{ e: number }>(`SELECT expires_at AS e FROM job_locks WHERE name = 'c'`))!.e),
      1,
    );
  });

  it('a right code is used once with the COMMIT; a wrong, used or expired one fails the transaction', async () => {
    const venue = await createVenue(ctx.db, {
      slug: 'cas',
      name: 'CAS',
      country: 'BG',
      settings: venueSettingsSchema.parse({}),
    });
    const sent: string[] = [];
    const now = 1_970_000_000_000;
    const deps = {
      db: ctx.db,
      keys: ctx.keys,
      cipher: ctx.cipher,
      log: ctx.log,
      sms: { name: 'recording', send: async (m: { text: string }) => (sent.push(m.text), { ref: '1' }) },
      now: () => now,
    };
    const issued = await issueCode(deps, 'flow-cas', {
      keys: { venueId: venue.id, numberHash: 'n-cas', macHash: null, clientIp: null, nasId: null, callingCode: '359' },
      e164: '+359881234567',
      settings: venue.settings,
      text: (code) => `code ${code}`,
    });
    assert.ok(issued.ok);
    const id = issued.verificationId;
    const code = /code (\d+)/.exec(sent[0])![1];
    const wrong = code === '000000' ? '111111' : '000000';
    const use = (guess: string, at: number) =>
      ctx.db.tx(async (tx) => {
        useCodeIn(tx, ctx.keys, id, guess, at);
        tx.defer(`UPDATE job_locks SET holder = ? WHERE name = 'a'`, [guess]);
      });
    assert.equal((await codeSentFor(ctx.db, ctx.keys, id, wrong, now))?.right, false);
    assert.equal((await codeSentFor(ctx.db, ctx.keys, id, code, now))?.right, true);
    await assert.rejects(use(wrong, now), unmet, 'a wrong code');
    await assert.rejects(use(code, issued.expiresAt), unmet, 'an expired code');
    await use(code, now + 1);
    await assert.rejects(use(code, now + 2), unmet, 'a used code');
    assert.deepEqual(await holders(), [`a:${code}`, 'b:nobody', 'c:nobody']);
    const row = await ctx.db.get<{ status: string; failures: number; used_at: number }>(
      'SELECT status, failures, used_at FROM verifications WHERE id = ?',
      [id],
    );
    assert.deepEqual(
      { ...row, failures: Number(row!.failures), used_at: Number(row!.used_at) },
      {
        status: 'used',
        failures: 0,
        used_at: now + 1,
      },
    );
    assert.equal((await codeSentFor(ctx.db, ctx.keys, id, code, now + 3))?.right, false, 'no longer right once used');
  });
});
