// Tx.readBeside, what the code transaction reads the ledger head and the subject with
// (consent/commands/record-signup.ts): a read of committed rows that costs the writer no
// trip, and may only be read once the transaction holds what serialises the ledger (SQLite:
// its BEGIN IMMEDIATE; PostgreSQL: the ledger's advisory lock taken before it). Shown with
// a second store on the same database (as another process) holding the ledger while it
// writes a subject: the read must wait for it and see the subject, never read before.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { eachBackend } from '../support/backends.ts';
import { openDb } from '../../portal/store/open.ts';
import type { Db } from '../../portal/store/db.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { numberHash, upsertSubject } from '../../portal/consent/subjects.ts';
import { readSignupLedger } from '../../portal/consent/commands/record-signup.ts';

eachBackend('the code transaction reads beside the writer', (backend) => {
  let ctx: TestContext;
  let other: Db;
  beforeEach(async () => {
    ctx = await testContext({ backend });
    other = await openDb(ctx.config.databaseUrl);
  });
  afterEach(async () => {
    await other?.close();
    await ctx?.cleanup();
  });

  it("waits for what serialises the ledger, so it sees another writer's subject committed meanwhile", async () => {
    const venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
    const e164 = '+359887300001';
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // The other "process": the ledger held (a write on SQLite takes the file's write lock) and a subject written, not yet committed.
    const writing = other.tx(async (tx) => {
      await tx.lock('ledger');
      const id = await upsertSubject(tx, ctx, venue.id, { e164 });
      holding();
      await released;
      return id;
    });
    await held;
    const reading = ctx.db.tx((tx) => readSignupLedger(tx, venue.id, numberHash(ctx.keys, e164)));
    // Long enough for a read that did not wait to come back empty.
    await new Promise((r) => setTimeout(r, 300));
    release();
    const [id, read] = await Promise.all([writing, reading]);
    assert.equal(read.subjectId, id, 'the subject committed while the read waited');
    const head = await ctx.db.get<{ seq: number }>('SELECT seq FROM ledger_head WHERE id = 1');
    assert.equal(Number(read.head!.seq), Number(head!.seq));
  });

  it('answers alone, when no statement of the transaction follows it', async () => {
    const row = await ctx.db.tx((tx) => tx.readBeside<{ one: number }>('SELECT 1 AS one'));
    assert.equal(Number(row!.one), 1);
  });
});
