// Deferred writes (Tx.defer) travel as SQL text with their values inlined by
// portal/store/sql-literal.ts: every value the store takes must come back from the real
// database exactly as it went in, on both backends, and what no literal can carry is
// refused, never approximated. And the deferred writes keep the transaction's promises:
// they commit with it, fail it (rolled back, mapped to StoreError) when one fails, and
// reach the database before any later statement of the transaction.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { StoreError, type Param } from '../../portal/store/db.ts';
import { inlineParams, sqlLiteral } from '../../portal/store/sql-literal.ts';

interface Row {
  k: number;
  t: string | null;
  i: number | null;
  d: number | null;
  b: Buffer | null;
}

const refused = (e: unknown) => e instanceof StoreError && e.code === 'invalid';

eachBackend('values written into SQL text (Tx.defer)', (backend) => {
  let ctx: TestContext;
  before(async () => {
    ctx = await testContext({ backend });
    const [real, blob] = backend === 'sqlite' ? ['REAL', 'BLOB'] : ['DOUBLE PRECISION', 'BYTEA'];
    await ctx.db.run(`CREATE TABLE lit (k BIGINT PRIMARY KEY, t TEXT, i BIGINT, d ${real}, b ${blob})`);
  });
  after(() => ctx?.cleanup());

  // PostgreSQL text cannot hold NUL at all (bound or not); on SQLite it must survive.
  const text = fc
    .oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.constantFrom("'", "''", "\\'", '\\', '?', "'); DROP TABLE lit; --", '\0', 'a\0b'),
    )
    .filter((s) => backend === 'sqlite' || !s.includes('\0'));
  const int = fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.constantFrom(0, -1, 2 ** 53 - 1, -(2 ** 53) + 1));
  const big = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
  const double = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(-0, 0.1, 1e21, 5e-324, -1.7976931348623157e308),
  );
  const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
  const row = fc.record({
    t: fc.option(text),
    i: fc.option(
      fc.oneof(
        int.map((n): Param => n),
        big.map((n): Param => n),
        fc.boolean().map((b): Param => b),
      ),
    ),
    d: fc.option(double),
    b: fc.option(bytes),
  });

  it('every value comes back from the database unchanged (fast-check, both backends)', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 8 }), async (rows) => {
        const keys = rows.map(() => ++k);
        await ctx.db.tx(async (tx) => {
          rows.forEach((r, n) =>
            tx.defer('INSERT INTO lit (k, t, i, d, b) VALUES (?, ?, ?, ?, ?)', [keys[n], r.t, r.i, r.d, r.b]),
          );
        });
        const back = await ctx.db.all<Row>(`SELECT k, t, i, d, b FROM lit WHERE k >= ? AND k <= ? ORDER BY k`, [
          keys[0],
          keys[keys.length - 1],
        ]);
        assert.equal(back.length, rows.length);
        rows.forEach((r, n) => {
          const got = back[n];
          assert.equal(got.t, r.t);
          // The drivers read a 64-bit integer as a JS number, bound or not; a boolean is 1 or 0.
          const i = r.i === null ? null : typeof r.i === 'boolean' ? Number(r.i) : Number(r.i);
          assert.equal(got.i === null ? null : Number(got.i), i);
          // A bound -0 comes back 0 on both (checked below), and so does an inlined one.
          const d = Object.is(r.d, -0) ? 0 : r.d;
          assert.ok(Object.is(got.d, d), `double ${r.d} came back as ${got.d}`);
          assert.deepEqual(got.b === null ? null : Buffer.from(got.b), r.b);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('gives back a negative zero as a bound parameter does', async () => {
    await ctx.db.run('INSERT INTO lit (k, d) VALUES (?, ?)', [-1, -0]);
    await ctx.db.tx(async (tx) => tx.defer('INSERT INTO lit (k, d) VALUES (?, ?)', [-2, -0]));
    const [bound, inlined] = await ctx.db.all<Row>('SELECT d FROM lit WHERE k IN (-1, -2) ORDER BY k DESC');
    assert.ok(Object.is(inlined.d, bound.d), `${inlined.d} vs ${bound.d}`);
    assert.ok(Object.is(bound.d, 0));
  });

  it('gives back a lone surrogate as a bound parameter does (U+FFFD)', async () => {
    for (const [k, s] of [
      [-3, 'a\uD800'],
      [-5, '\uDC00b\uD83D'],
    ] as const) {
      await ctx.db.run('INSERT INTO lit (k, t) VALUES (?, ?)', [k, s]);
      await ctx.db.tx(async (tx) => tx.defer('INSERT INTO lit (k, t) VALUES (?, ?)', [k - 1, s]));
      const [inlined, bound] = await ctx.db.all<Row>('SELECT t FROM lit WHERE k IN (?, ?) ORDER BY k', [k - 1, k]);
      assert.equal(inlined.t, bound.t);
      assert.equal(inlined.t, s.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
    }
  });

  it('refuses what no literal carries unchanged, before anything is sent', () => {
    for (const v of [NaN, Infinity, -Infinity, 2n ** 63n, -(2n ** 63n) - 1n, {} as Param])
      assert.throws(() => sqlLiteral(backend, v), refused, String(v));
    if (backend === 'postgres') assert.throws(() => sqlLiteral(backend, 'a\0b'), refused);
    assert.throws(() => inlineParams(backend, 'SELECT ?, ?', [1]), refused);
    assert.throws(() => inlineParams(backend, 'SELECT ?', [1, 2]), refused);
    // A ? inside a quoted string is text, not a placeholder.
    assert.equal(inlineParams(backend, "SELECT 'what?', ?", [null]), "SELECT 'what?', NULL");
  });

  it('commits deferred writes with the transaction, before its later statements, and rolls all back when one fails', async () => {
    await ctx.db.run('CREATE TABLE dw (k TEXT PRIMARY KEY, n BIGINT NOT NULL)');
    const seen = await ctx.db.tx(async (tx) => {
      tx.defer('INSERT INTO dw (k, n) VALUES (?, ?)', ['a', 1]);
      tx.defer('UPDATE dw SET n = n + ? WHERE k = ?', [1, 'a']);
      // A later read in the same transaction sees them.
      const r = await tx.get<{ n: number }>('SELECT n FROM dw WHERE k = ?', ['a']);
      tx.defer('INSERT INTO dw (k, n) VALUES (?, ?)', ['b', 3]);
      return Number(r?.n);
    });
    assert.equal(seen, 2);
    assert.deepEqual(
      (await ctx.db.all<{ k: string; n: number }>('SELECT k, n FROM dw ORDER BY k')).map((r) => [r.k, Number(r.n)]),
      [
        ['a', 2],
        ['b', 3],
      ],
    );
    // A deferred write that fails at the COMMIT fails the transaction, mapped, and takes its siblings with it.
    await assert.rejects(
      ctx.db.tx(async (tx) => {
        await tx.run('UPDATE dw SET n = 10 WHERE k = ?', ['a']);
        tx.defer('INSERT INTO dw (k, n) VALUES (?, ?)', ['c', 4]);
        tx.defer('INSERT INTO dw (k, n) VALUES (?, ?)', ['a', 5]);
      }),
      (e: unknown) => e instanceof StoreError && e.code === 'conflict',
    );
    assert.deepEqual(
      (await ctx.db.all<{ k: string; n: number }>('SELECT k, n FROM dw ORDER BY k')).map((r) => [r.k, Number(r.n)]),
      [
        ['a', 2],
        ['b', 3],
      ],
    );
    // The database is usable afterwards: the failed transaction left nothing open.
    await ctx.db.tx(async (tx) => tx.defer('DELETE FROM dw WHERE k = ?', ['b']));
    assert.equal((await ctx.db.all('SELECT k FROM dw')).length, 1);
  });
});
