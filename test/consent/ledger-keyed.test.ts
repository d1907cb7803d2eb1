// Issue 14 point 10: the chain is keyed (HMAC under the ledger subkey of SECRET_KEY) and
// its head is sealed, so someone with the database but not the key can neither recompute
// the chain after an edit, nor downgrade events to unkeyed hashes, nor remove the last
// events and move the head back. What the seal cannot stop is pinned here too: putting
// back an earlier sealed head after removing what followed it (deploy/SECURITY.md).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eachBackend } from '../support/backends.ts';
import { freshPostgresUrl, type TestContext } from '../support/context.ts';
import { signUp, dropLedgerGuards, rechain, ledgerWorld } from '../support/ledger-fixtures.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { appendEvents } from '../../portal/consent/append.ts';
import {
  eventHash,
  keyedEventHash,
  GENESIS_HASH,
  HASHED_COLUMNS,
  type ConsentEventRow,
} from '../../portal/consent/event.ts';
import { ledgerMigrationSteps, readHead } from '../../portal/consent/head.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { openDb } from '../../portal/store/open.ts';
import { loadMigrations, migrate } from '../../portal/store/migrate.ts';
import { StoreError, type Db } from '../../portal/store/db.ts';

const failure = (r: Awaited<ReturnType<typeof verifyLedger>>) => (r.ok ? undefined : r.broken);

eachBackend('keyed ledger', (backend) => {
  const w = ledgerWorld(backend);

  it('writes keyed hashes that an edit recomputed without the key does not pass', async () => {
    await signUp(w.ctx, w.venue.id, '+359881234567', { terms: 'granted' });
    const [victim] = await signUp(w.ctx, w.venue.id, '+359887654321', { terms: 'granted', sms: 'declined' });
    await signUp(w.ctx, w.venue.id, '+359881111111', { terms: 'granted' });
    assert.equal(victim.hash_version, 2);
    assert.equal(victim.hash, keyedEventHash(w.ctx.keys, victim));
    assert.deepEqual(await verifyLedger(w.ctx.db, w.ctx.keys), { ok: true, count: 4 });
    await dropLedgerGuards(w.ctx);
    await w.ctx.db.run(`UPDATE consent_events SET decision = 'declined' WHERE id = ?`, [victim.id]);
    // With everything but the key: the published algorithm (plain SHA-256, or an HMAC under a guessed key).
    for (const forge of [eventHash, (row: ConsentEventRow) => keyedEventHash(deriveKeys('a guessed key'), row)]) {
      await rechain(w.ctx, forge);
      const broken = failure(await verifyLedger(w.ctx.db, w.ctx.keys));
      assert.equal(broken?.id, await firstEventId(w.ctx.db), 'the first rechained event is named');
      assert.match(broken?.reason ?? '', /altered/);
    }
    // The holder of the key can rewrite it: the chain proves nothing against them.
    await rechain(w.ctx, (row) => keyedEventHash(w.ctx.keys, row));
    await sealHeadAsKeyHolder(w.ctx);
    assert.deepEqual(await verifyLedger(w.ctx.db, w.ctx.keys), { ok: true, count: 4 });
  });

  it('refuses an event with an unkeyed hash after the switch point, and a moved switch point', async () => {
    await signUp(w.ctx, w.venue.id, '+359881234567', { terms: 'granted' });
    const [victim] = await signUp(w.ctx, w.venue.id, '+359887654321', { terms: 'granted' });
    await signUp(w.ctx, w.venue.id, '+359881111111', { terms: 'granted' });
    await dropLedgerGuards(w.ctx);
    await w.ctx.db.run(`UPDATE consent_events SET decision = 'declined' WHERE id = ?`, [victim.id]);
    await w.ctx.db.run('UPDATE consent_events SET hash_version = 1');
    await rechain(w.ctx, eventHash);
    const broken = failure(await verifyLedger(w.ctx.db, w.ctx.keys));
    assert.equal(broken?.seq, 1);
    assert.match(broken?.reason ?? '', /unkeyed hash after the switch to keyed hashes .*downgrade/);
    // Moving the switch point past the end, so that every event counts as "before keying":
    await w.ctx.db.run('UPDATE ledger_head SET v2_from = 1000');
    assert.match(failure(await verifyLedger(w.ctx.db, w.ctx.keys))?.reason ?? '', /head fails its HMAC/);
  });

  it('notices the last event removed with the head moved back, and will not append to such a head', async () => {
    await signUp(w.ctx, w.venue.id, '+359881234567', { terms: 'granted' });
    const [before] = await signUp(w.ctx, w.venue.id, '+359887654321', { terms: 'granted' });
    const [last] = await signUp(w.ctx, w.venue.id, '+359881111111', { terms: 'granted' });
    await dropLedgerGuards(w.ctx);
    await w.ctx.db.run('DELETE FROM consent_events WHERE id = ?', [last.id]);
    const seq = (await w.ctx.db.get<{ seq: number }>('SELECT seq FROM consent_events WHERE id = ?', [before.id]))!.seq;
    await w.ctx.db.run('UPDATE ledger_head SET seq = ?, hash = ?, count = count - 1, at = ? WHERE id = 1', [
      seq,
      before.hash,
      before.at,
    ]);
    const broken = failure(await verifyLedger(w.ctx.db, w.ctx.keys));
    assert.match(broken?.reason ?? '', /head fails its HMAC/);
    // Appending would seal the truncated chain: refused as an outage instead.
    await assert.rejects(
      signUp(w.ctx, w.venue.id, '+359882222222', { terms: 'granted' }),
      (e: unknown) => e instanceof StoreError && e.code === 'unavailable' && /ledger_head_unsealed/.test(e.message),
    );
    assert.match(failure(await verifyLedger(w.ctx.db, w.ctx.keys))?.reason ?? '', /head fails its HMAC/);
  });

  it('cannot tell a truncation back to an earlier sealed head (what the chain does not prove)', async () => {
    await signUp(w.ctx, w.venue.id, '+359881234567', { terms: 'granted' });
    const saved = (await w.ctx.db.get<Record<string, string | number>>(
      'SELECT seq, hash, count, at, v2_from, mac FROM ledger_head WHERE id = 1',
    ))!;
    const [last] = await signUp(w.ctx, w.venue.id, '+359881111111', { terms: 'granted' });
    await dropLedgerGuards(w.ctx);
    await w.ctx.db.run('DELETE FROM consent_events WHERE id = ?', [last.id]);
    await w.ctx.db.run(
      'UPDATE ledger_head SET seq = ?, hash = ?, count = ?, at = ?, v2_from = ?, mac = ? WHERE id = 1',
      [saved.seq, saved.hash, saved.count, saved.at, saved.v2_from, saved.mac],
    );
    // Only a copy of the head kept outside the database (a checkpoint) can show this.
    assert.deepEqual(await verifyLedger(w.ctx.db, w.ctx.keys), { ok: true, count: 1 });
  });

  it('fails every check under another SECRET_KEY, naming the key as a possible cause', async () => {
    await signUp(w.ctx, w.venue.id, '+359881234567', { terms: 'granted' });
    assert.match(
      failure(await verifyLedger(w.ctx.db, deriveKeys('another key')))?.reason ?? '',
      /SECRET_KEY is not the one/,
    );
  });
});

eachBackend('a ledger from before keying (migration 016)', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  const keys = deriveKeys('upgrade-test-key');
  beforeEach(async () => {
    if (backend === 'postgres') {
      const pg = await freshPostgresUrl();
      db = await openDb(pg.url);
      done = async () => (await db.close(), await pg.drop());
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'foyer-upgrade-'));
      db = await openDb(join(dir, 'foyer.db'));
      done = async () => (await db.close(), rmSync(dir, { recursive: true, force: true }));
    }
    await migrateUpTo(db, '016_ledger_v2');
  });
  afterEach(() => done());

  it('keeps its plain events verifying, keys what follows, and holds the old events through the first keyed one', async () => {
    const old = await appendFormat1(db, 3);
    await assert.rejects(migrate(db), /migration_step_missing: migration 016_ledger_v2/);
    await migrate(db, ledgerMigrationSteps(keys));
    assert.equal(Number((await readHead(db))!.v2_from), old.at(-1)!.seq + 1);
    await db.tx((tx) =>
      appendEvents(
        tx,
        [{ venueId: 'v', purpose: 'terms', decision: 'granted', channel: 'portal', numberHash: 'b'.repeat(64) }],
        keys,
      ),
    );
    const versions = await db.all<{ hash_version: number }>('SELECT hash_version FROM consent_events ORDER BY seq');
    assert.deepEqual(
      versions.map((v) => Number(v.hash_version)),
      [1, 1, 1, 2],
    );
    // The old events' times stepped back (as format 1 allowed): a note, not a failure.
    const ok = await verifyLedger(db, keys);
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(ok.count, 4);
    assert.match((ok.ok && ok.notes?.[0]) || '', /^1 events written before the upgrade/);
    // An old event edited and the plain part rechained: the first keyed event no longer follows.
    const guards =
      db.dialect === 'sqlite'
        ? ['DROP TRIGGER consent_events_no_update']
        : ['DROP TRIGGER consent_events_no_update ON consent_events'];
    for (const g of guards) await db.run(g);
    await db.run(`UPDATE consent_events SET decision = 'declined' WHERE seq = ?`, [old[1].seq]);
    // Edited alone, the old event is named, with the plain hash's own words.
    const edited = failure(await verifyLedger(db, keys));
    assert.deepEqual([edited?.seq, edited?.reason], [old[1].seq, 'its content no longer matches its hash (altered)']);
    let prev = old[0].hash;
    for (const row of await db.all<ConsentEventRow>(
      'SELECT * FROM consent_events WHERE seq > ? AND hash_version = 1 ORDER BY seq',
      [old[0].seq],
    )) {
      const h = eventHash({ ...row, prev_hash: prev });
      await db.run('UPDATE consent_events SET prev_hash = ?, hash = ? WHERE seq = ?', [prev, h, row.seq]);
      prev = h;
    }
    const broken = failure(await verifyLedger(db, keys));
    assert.equal(broken?.seq, old.at(-1)!.seq + 1);
    assert.match(broken?.reason ?? '', /does not follow/);
  });
});

async function firstEventId(db: Db): Promise<string> {
  return (await db.get<{ id: string }>('SELECT id FROM consent_events ORDER BY seq LIMIT 1'))!.id;
}

/** What the holder of SECRET_KEY can do after rewriting the chain: seal the head over it. */
async function sealHeadAsKeyHolder(ctx: TestContext): Promise<void> {
  await ctx.db.tx((tx) => ledgerMigrationSteps(ctx.keys)['016_ledger_v2'](tx));
}

/** Applies the migrations before `id`, as a Foyer of that time did. */
async function migrateUpTo(db: Db, id: string): Promise<void> {
  await db.run('CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
  await db.run('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  await db.run(`INSERT INTO meta (key, value) VALUES ('schema', '0')`);
  for (const m of await loadMigrations()) {
    if (m.id >= id) break;
    await db.tx(async (tx) => {
      for (const stmt of m.up(db.dialect)) await tx.run(stmt);
      await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [m.id, Date.now()]);
    });
  }
}

/** `n` events as Foyer wrote them before migration 016: plain SHA-256, the second one timed a second early. */
async function appendFormat1(db: Db, n: number): Promise<Array<{ seq: number; hash: string; at: number }>> {
  const out: Array<{ seq: number; hash: string; at: number }> = [];
  let prev = GENESIS_HASH;
  const t = Date.now() - 60_000;
  for (let i = 0; i < n; i++) {
    const row = Object.fromEntries(HASHED_COLUMNS.map((c) => [c, null])) as Record<string, unknown>;
    Object.assign(row, {
      id: `old-${i}`,
      at: i === 1 ? t - 1000 : t + i,
      venue_id: 'v',
      purpose: 'terms',
      decision: 'granted',
      channel: 'portal',
      number_hash: 'a'.repeat(64),
      prev_hash: prev,
    });
    const hash = eventHash(row as unknown as ConsentEventRow);
    const { seq } = (await db.tx((tx) =>
      tx.get<{ seq: number }>(
        `INSERT INTO consent_events (${HASHED_COLUMNS.join(', ')}, hash) VALUES (${HASHED_COLUMNS.map(() => '?').join(', ')}, ?) RETURNING seq`,
        [...HASHED_COLUMNS.map((c) => row[c] as string | number | null), hash],
      ),
    ))!;
    out.push({ seq: Number(seq), hash, at: row.at as number });
    prev = hash;
  }
  await db.run('UPDATE ledger_head SET seq = ?, hash = ?, count = ? WHERE id = 1', [out.at(-1)!.seq, prev, n]);
  return out;
}
