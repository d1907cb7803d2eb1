// db.write: writes nobody needs an answer from (issue 18). Each is answered only once the
// COMMIT that carried it went through; on SQLite one that meets a busy writer rides on the
// COMMIT of the transaction on it, and neither can fail the other: a rider that fails, or
// whose carrier fails, runs again alone, and only its own failure is its caller's.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { StoreError } from '../../portal/store/db.ts';
import { openDb } from '../../portal/store/open.ts';
import { countWriterTrips } from './writer-trips.ts';

eachBackend('db.write', (backend) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await testContext({ backend });
    await ctx.db.run('CREATE TABLE w (k TEXT PRIMARY KEY, n BIGINT)');
  });
  afterEach(async () => ctx.cleanup());

  const keys = async () => (await ctx.db.all<{ k: string }>('SELECT k FROM w ORDER BY k')).map((r) => r.k);
  const insert = (k: string, n = 1): [string, [string, number]] => ['INSERT INTO w (k, n) VALUES (?, ?)', [k, n]];

  it('answers once its statements are committed, together or not at all', async () => {
    await ctx.db.write(insert("o'brien"), ['UPDATE w SET n = n + ? WHERE k = ?', [41, "o'brien"]]);
    // Read on another connection (a SQLite reader, a pooled PostgreSQL client): committed.
    assert.equal(Number((await ctx.db.get<{ n: number }>('SELECT n FROM w WHERE k = ?', ["o'brien"]))!.n), 42);
    await assert.rejects(ctx.db.write(insert('a'), insert("o'brien")), (e: unknown) => {
      assert.ok(e instanceof StoreError, String(e));
      assert.equal(e.code, 'conflict');
      return true;
    });
    assert.deepEqual(await keys(), ["o'brien"], "the failed write's first statement is not kept");
    await ctx.db.write(); // nothing to write: answered at once
  });

  it('many at once: each answered, one failing takes none of the others with it', async () => {
    await ctx.db.run(...insert('taken'));
    const results = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => ctx.db.write(insert(`k${String(i).padStart(2, '0')}`))),
      ctx.db.write(insert('taken')),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      [...Array(20).fill('fulfilled'), 'rejected'],
    );
    assert.equal((await keys()).length, 21);
  });

  it('meeting a transaction on the writer: committed with it, neither failing the other', async () => {
    await ctx.db.run(...insert('taken'));
    let good: Promise<void> | undefined;
    let bad: Promise<void> | undefined;
    await ctx.db.tx(async (tx) => {
      await tx.run(...insert('carrier'));
      good = ctx.db.write(insert('rider'));
      bad = ctx.db.write(insert('taken'));
      bad.catch(() => undefined); // awaited below, after the transaction
      // Let the writes queue while this transaction holds the writer.
      await new Promise((r) => setTimeout(r, 20));
      tx.defer(...insert('deferred'));
    });
    await good;
    await assert.rejects(bad!, (e: unknown) => e instanceof StoreError && e.code === 'conflict');
    assert.deepEqual(await keys(), ['carrier', 'deferred', 'rider', 'taken']);
  });

  it('a transaction that fails, at its COMMIT or before, does not take a waiting write down with it', async () => {
    await ctx.db.run(...insert('taken'));
    let riders: Promise<void>[] = [];
    await assert.rejects(
      ctx.db.tx(async (tx) => {
        await tx.run(...insert('carrier-1'));
        riders = [ctx.db.write(insert('r1')), ctx.db.write(insert('r2'))];
        await new Promise((r) => setTimeout(r, 20));
        // Fails with the COMMIT, which would have carried the writes.
        tx.defer(...insert('taken'));
      }),
      (e: unknown) => e instanceof StoreError && e.code === 'conflict',
    );
    await Promise.all(riders);
    await assert.rejects(
      ctx.db.tx(async (tx) => {
        await tx.run(...insert('carrier-2'));
        riders = [ctx.db.write(insert('r3'))];
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('changed its mind');
      }),
      /changed its mind/,
    );
    await Promise.all(riders);
    assert.deepEqual(await keys(), ['r1', 'r2', 'r3', 'taken']);
  });

  it('a write made just before the database is closed is committed, not dropped', async () => {
    const last = ctx.db.write(insert('last'));
    await ctx.db.close();
    await last;
    const again = await openDb(ctx.config.databaseUrl);
    try {
      assert.ok(await again.get('SELECT 1 FROM w WHERE k = ?', ['last']));
    } finally {
      await again.close();
    }
  });

  if (backend === 'sqlite')
    it('costs no writer trip of its own while the writer is busy', async () => {
      const TX = 20;
      const trips = await countWriterTrips(() =>
        Promise.all(
          Array.from({ length: TX }, async (_, i) => {
            await ctx.db.tx(async (tx) => {
              await tx.get('SELECT COUNT(*) AS n FROM w');
              tx.defer(...insert(`tx${String(i).padStart(2, '0')}`));
            });
            // The writes a sign-up's steps make after their transaction, while the others' hold the writer.
            if (i < TX - 2)
              await Promise.all([ctx.db.write(insert(`a${i}`)), ctx.db.write(insert(`b${i}`), insert(`c${i}`))]);
          }),
        ),
      );
      assert.equal((await keys()).length, TX + 3 * (TX - 2));
      // A BEGIN, then each transaction's read and its COMMIT (the next one's BEGIN with it);
      // the writes ride on those COMMITs but for the last few, when no transaction is left.
      if (process.env.FOYER_SHOW_STATEMENTS) console.log(`      ${trips} writer trips`);
      assert.ok(trips <= 1 + 2 * TX + 2, `${trips} writer trips for ${TX} transactions and ${3 * (TX - 2)} writes`);
    });
});
