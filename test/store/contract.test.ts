// One contract, both databases: what every capability relies on from the store.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { migrate } from '../../portal/store/migrate.ts';
import { StoreError } from '../../portal/store/db.ts';
import { openDb } from '../../portal/store/open.ts';
import { toPg } from '../../portal/store/postgres.ts';
import { chmodSync } from 'node:fs';

eachBackend('store contract', (backend) => {
  let ctx: TestContext;
  beforeEach(async () => (ctx = await testContext({ backend })));
  afterEach(() => ctx.cleanup());

  it('migrates once; running again applies nothing', async () => {
    assert.deepEqual(await migrate(ctx.db), []);
    const rows = await ctx.db.all<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
    assert.ok(rows.some((r) => r.id === '001_foundation'));
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await ctx.db.run('CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT)');
    await ctx.db.tx(async (tx) => {
      await tx.run('INSERT INTO t (k, n) VALUES (?, ?)', ['a', 1]);
    });
    await assert.rejects(
      ctx.db.tx(async (tx) => {
        await tx.run('INSERT INTO t (k, n) VALUES (?, ?)', ['b', 2]);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(await ctx.db.all('SELECT k, n FROM t ORDER BY k'), [{ k: 'a', n: 1 }]);
  });

  it('runs a write that answers rows (RETURNING) without its rows read, again and again, each committed', async () => {
    // SQLite's writer keeps its statements prepared; one that answers rows and is only run
    // (stepped once) must not be left in progress, holding up the COMMIT or its next use.
    await ctx.db.run('CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT)');
    for (let i = 0; i < 3; i++) {
      await ctx.db.tx(async (tx) => {
        await tx.run('INSERT INTO t (k, n) VALUES (?, ?), (?, ?) RETURNING k', [`a${i}`, i, `b${i}`, i]);
        await tx.run('UPDATE t SET n = n + 10 WHERE k IN (?, ?) RETURNING n', [`a${i}`, `b${i}`]);
      });
      await ctx.db.run('INSERT INTO t (k, n) VALUES (?, ?), (?, ?) RETURNING k', [`c${i}`, i, `d${i}`, i]);
    }
    const rows = await ctx.db.all<{ k: string; n: number }>('SELECT k, n FROM t ORDER BY k');
    assert.equal(rows.length, 12);
    assert.deepEqual(
      rows.filter((r) => r.k.startsWith('b')).map((r) => r.n),
      [10, 11, 12],
    );
  });

  it('returns BIGINT as numbers and keeps strings with question marks intact', async () => {
    await ctx.db.run('CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT)');
    await ctx.db.run(`INSERT INTO t (k, n) VALUES ('what?', ?)`, [1_795_000_000_000]);
    assert.deepEqual(await ctx.db.get('SELECT k, n FROM t WHERE n = ?', [1_795_000_000_000]), {
      k: 'what?',
      n: 1_795_000_000_000,
    });
  });

  it('queued transactions each commit or roll back on their own, answered after their COMMIT', async () => {
    // On SQLite a COMMIT also begins the next queued transaction (one trip fewer each):
    // a failure of one must not leak into its neighbours.
    await ctx.db.run('CREATE TABLE q (k BIGINT PRIMARY KEY)');
    await ctx.db.run('INSERT INTO q (k) VALUES (?)', [1000]);
    const outcomes = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        ctx.db
          .tx(async (tx) => {
            await tx.run('INSERT INTO q (k) VALUES (?)', [i]);
            if (i % 3 === 1) throw new Error(`refused ${i}`);
            // A deferred write that fails at the COMMIT (a duplicate key).
            tx.defer('INSERT INTO q (k) VALUES (?)', [i % 4 === 2 ? 1000 : 100 + i]);
            return i;
          })
          .then(
            () => 'committed',
            (e: Error) => (e instanceof StoreError ? e.code : e.message),
          ),
      ),
    );
    const rows = new Set((await ctx.db.all<{ k: number }>('SELECT k FROM q')).map((r) => Number(r.k)));
    outcomes.forEach((o, i) => {
      const expected = i % 3 === 1 ? `refused ${i}` : i % 4 === 2 ? 'conflict' : 'committed';
      assert.equal(o, expected, `transaction ${i}`);
      assert.equal(rows.has(i), o === 'committed', `row of transaction ${i}`);
    });
    // And the writer is free afterwards.
    await ctx.db.run('DELETE FROM q');
    assert.equal((await ctx.db.all('SELECT k FROM q')).length, 0);
  });

  it('maps a unique violation to StoreError conflict', async () => {
    await ctx.db.run('CREATE TABLE t (k TEXT PRIMARY KEY)');
    await ctx.db.run('INSERT INTO t (k) VALUES (?)', ['a']);
    await assert.rejects(
      ctx.db.run('INSERT INTO t (k) VALUES (?)', ['a']),
      (e: unknown) => e instanceof StoreError && e.code === 'conflict',
    );
  });

  it('serialises transactions that take the same lock', async () => {
    await ctx.db.run('CREATE TABLE c (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)');
    await ctx.db.run('INSERT INTO c (id, n) VALUES (1, 0)');
    // Read-modify-write with a pause: without serialisation updates would be lost.
    await Promise.all(
      Array.from({ length: 8 }, () =>
        ctx.db.tx(async (tx) => {
          await tx.lock('counter');
          const { n } = (await tx.get<{ n: number }>('SELECT n FROM c WHERE id = 1'))!;
          await new Promise((r) => setTimeout(r, 5));
          await tx.run('UPDATE c SET n = ? WHERE id = 1', [n + 1]);
        }),
      ),
    );
    assert.equal((await ctx.db.get<{ n: number }>('SELECT n FROM c WHERE id = 1'))!.n, 8);
  });

  it('runs an exclusive section in one holder at a time', async () => {
    // The first holder stays inside until the second has tried (no sleep to race: on a busy
    // machine the second's connection could come after a 50 ms section had already ended).
    let inside = 0;
    let entered!: () => void;
    const isInside = new Promise<void>((r) => (entered = r));
    let leave!: () => void;
    const gate = new Promise<void>((r) => (leave = r));
    const first = ctx.db.exclusive('job:test', async () => {
      inside++;
      entered();
      await gate;
      inside--;
      return 'ran';
    });
    await isInside;
    const second = await ctx.db.exclusive('job:test', async () => {
      inside++;
      return 'ran';
    });
    assert.equal(second, null, 'a second holder was let in');
    assert.equal(inside, 1);
    leave();
    assert.equal(await first, 'ran');
    assert.equal(await ctx.db.exclusive('job:test', async () => 'ran'), 'ran', 'the lock is released afterwards');
  });

  it('answers many concurrent lone writes, each on its own: one refused, the rest stored', async () => {
    await ctx.db.run('CREATE TABLE t (k TEXT PRIMARY KEY)');
    await ctx.db.run('INSERT INTO t (k) VALUES (?)', ['taken']);
    const keys = [...Array.from({ length: 50 }, (_, i) => `k${i}`), 'taken'];
    const results = await Promise.allSettled(keys.map((k) => ctx.db.run('INSERT INTO t (k) VALUES (?)', [k])));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 50);
    const refused = results.at(-1)!;
    assert.ok(
      refused.status === 'rejected' && refused.reason instanceof StoreError && refused.reason.code === 'conflict',
    );
    assert.equal((await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n, 51);
  });

  it('answers ping', async () => {
    await ctx.db.ping();
  });
});

describe('store errors', () => {
  it('reports an unreachable PostgreSQL as unavailable', async () => {
    const db = await openDb('postgres://nobody:x@127.0.0.1:1/none');
    await assert.rejects(db.get('SELECT 1'), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
    await db.close();
  });

  it('rewrites placeholders for PostgreSQL outside quoted strings only', () => {
    assert.equal(
      toPg(`SELECT * FROM t WHERE a = ? AND b = 'x?''y' AND c = ?`),
      `SELECT * FROM t WHERE a = $1 AND b = 'x?''y' AND c = $2`,
    );
  });
});

describe('SQLite made read-only', () => {
  it('reports unavailable while the file is read-only and recovers without a restart', async () => {
    const ctx = await testContext();
    try {
      await ctx.db.run('CREATE TABLE t (k TEXT)');
      chmodSync(ctx.config.databaseUrl, 0o444);
      await assert.rejects(
        ctx.db.ping(),
        (e: unknown) => e instanceof StoreError && e.code === 'unavailable' && /read-only/.test(e.message),
      );
      await assert.rejects(
        ctx.db.tx((tx) => tx.run(`INSERT INTO t (k) VALUES ('x')`)),
        (e: unknown) => e instanceof StoreError && e.code === 'unavailable',
      );
      chmodSync(ctx.config.databaseUrl, 0o644);
      await ctx.db.ping();
      await ctx.db.run(`INSERT INTO t (k) VALUES ('y')`);
      assert.deepEqual(await ctx.db.all('SELECT k FROM t'), [{ k: 'y' }]);
    } finally {
      await ctx.cleanup();
    }
  });
});

describe('errors thrown inside a transaction', () => {
  it('keep their own type on both backends (a 4xx refusal stays a 4xx)', async () => {
    const { FoyerError } = await import('../../portal/errors.ts');
    for (const backend of ['sqlite', ...(process.env.FOYER_TEST_POSTGRES_URL ? ['postgres' as const] : [])] as const) {
      const ctx = await testContext({ backend });
      try {
        await assert.rejects(
          ctx.db.tx(async () => {
            throw new FoyerError('venue_invalid', 400, 'no');
          }),
          (e: unknown) => (e as { status?: number }).status === 400 && !(e instanceof StoreError),
        );
      } finally {
        await ctx.cleanup();
      }
    }
  });
});
