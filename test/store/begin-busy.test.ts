// SQLite: a transaction of deferred writes only is sent as one exec beginning with its own
// BEGIN. When another write waits behind it, the store used to append the next one's BEGIN
// to that exec, and read a busy failure with no transaction left open as "the COMMIT went
// through, only the BEGIN after it failed": but the exec's own BEGIN failing busy (another
// process holding the database) leaves the same state. Such a transaction was answered as
// committed with nothing written. Now an exec that begins its own transaction begins no other.
import assert from 'node:assert/strict';
import sqlite3 from 'sqlite3';
import { testContext, type TestContext } from '../support/context.ts';

const exec = (c: sqlite3.Database, sql: string) =>
  new Promise<void>((res, rej) => c.exec(sql, (err) => (err ? rej(err) : res())));

describe('SQLite: a BEGIN that meets another process writing [sqlite]', function () {
  this.timeout(30_000);
  let ctx: TestContext;
  before(async () => {
    ctx = await testContext();
    await ctx.db.run('CREATE TABLE b (k TEXT PRIMARY KEY)');
  });
  after(async () => ctx?.cleanup());

  it('is never answered as committed without its rows', async () => {
    // Another process holds the write lock for longer than the store's busy timeout (5 s).
    const other = new sqlite3.Database(ctx.config.databaseUrl);
    await exec(other, 'BEGIN IMMEDIATE');
    const first = ctx.db.tx(async (tx) => tx.defer('INSERT INTO b (k) VALUES (?)', ['first']));
    // Queued behind the first: the store would begin its transaction in the first one's exec.
    const second = ctx.db.tx(async (tx) => tx.defer('INSERT INTO b (k) VALUES (?)', ['second']));
    const settled = await Promise.allSettled([first.finally(() => exec(other, 'ROLLBACK')), second]);
    other.close();
    const rows = (await ctx.db.all<{ k: string }>('SELECT k FROM b')).map((r) => r.k);
    for (const [i, k] of ['first', 'second'].entries())
      if (settled[i].status === 'fulfilled') assert.ok(rows.includes(k), `${k}: answered committed, not written`);
    assert.equal(settled[0].status, 'rejected', 'the first met the lock for 5 s: busy');
    assert.deepEqual(rows, ['second'], 'the second, after the lock was let go');
  });
});
