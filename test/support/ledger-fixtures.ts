// Quick ways to put realistic events on the ledger.
import type { AppContext } from '../../portal/context.ts';
import { testContext, type Backend, type TestContext } from './context.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { randomUUID } from 'node:crypto';
import { appendEvents, type AppendedEvent } from '../../portal/consent/append.ts';
import { upsertSubject, numberHash } from '../../portal/consent/subjects.ts';
import {
  eventHash,
  GENESIS_HASH,
  type Purpose,
  type Decision,
  type ConsentEventRow,
} from '../../portal/consent/event.ts';

export async function signUp(
  ctx: AppContext,
  venueId: string,
  e164: string,
  decisions: Partial<Record<Purpose, Decision>> = { terms: 'granted', sms: 'granted' },
  at?: number,
) {
  return ctx.db.tx(async (tx) => {
    const subjectId = await upsertSubject(tx, ctx, venueId, { e164, name: 'Test Guest' }, at);
    return appendEvents(
      tx,
      Object.entries(decisions).map(([purpose, decision]) => ({
        venueId,
        purpose: purpose as Purpose,
        decision: decision as Decision,
        channel: 'portal' as const,
        numberHash: numberHash(ctx.keys, e164),
        subjectId,
        locale: 'en',
        templateVersionId: null,
        clientIp: '192.0.2.7',
        clientMac: 'aa:bb:cc:dd:ee:ff',
      })),
      ctx.keys,
      at === undefined ? {} : { clock: () => at },
    );
  });
}

/**
 * A portal sign-up whose events fill EVERY field: a real stored page version and the hash
 * of each consent text, the device, the NAS, the code, an actor and evidence. (Tamper
 * tests need every hashed column non-empty, or leaving one out of the hash goes unseen.)
 */
export async function signUpFull(ctx: AppContext, venue: Venue, e164: string): Promise<AppendedEvent[]> {
  const version = await ctx.consentPages.currentVersion(venue, 'en');
  return ctx.db.tx(async (tx) => {
    const subjectId = await upsertSubject(tx, ctx, venue.id, { e164, name: 'Full Guest', email: 'guest@example.com' });
    return appendEvents(
      tx,
      (['terms', 'sms', 'email'] as const).map((purpose, i) => ({
        venueId: venue.id,
        purpose,
        decision: i === 2 ? 'declined' : 'granted',
        channel: 'portal',
        numberHash: numberHash(ctx.keys, e164),
        subjectId,
        templateVersionId: version.id,
        locale: 'en',
        textHash: ctx.consentPages.consentTextHash(version.content, purpose),
        clientIp: '192.0.2.7',
        clientMac: 'aa:bb:cc:dd:ee:ff',
        userAgent: 'Mozilla/5.0 (FoyerTest)',
        nasId: 'ap-lobby',
        apMac: '00:11:22:33:44:55',
        ssid: 'Guest Wi-Fi',
        verificationId: randomUUID(),
        actor: 'guest',
        evidence: JSON.stringify({ flow: randomUUID(), screen: 'start' }),
      })),
      ctx.keys,
    );
  });
}

/** Many events fast: `batch` per transaction. */
export async function bulkEvents(ctx: AppContext, venueId: string, count: number, batch = 500): Promise<void> {
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    await ctx.db.tx((tx) =>
      appendEvents(
        tx,
        Array.from({ length: n }, (_, i) => ({
          venueId,
          purpose: (['terms', 'sms', 'email'] as const)[(done + i) % 3],
          decision: 'granted' as const,
          channel: 'import' as const,
          numberHash: numberHash(ctx.keys, `+3598800${String(done + i).padStart(5, '0')}`),
          locale: 'bg',
        })),
        ctx.keys,
      ),
    );
  }
}

/** Drops the append-only triggers, as an attacker with database access would. */
export async function dropLedgerGuards(ctx: AppContext): Promise<void> {
  const on = ctx.db.dialect === 'sqlite' ? '' : ' ON consent_events';
  await ctx.db.run(`DROP TRIGGER consent_events_no_update${on}`);
  await ctx.db.run(`DROP TRIGGER consent_events_no_delete${on}`);
}

/**
 * Recomputes every event's prev_hash and hash from the first one on, and the head, with
 * `hash`: what someone with write access to the database does after editing events so
 * that the chain links up again. The guards must be dropped first.
 */
export async function rechain(ctx: AppContext, hash: (row: ConsentEventRow) => string = eventHash): Promise<void> {
  const rows = await ctx.db.all<ConsentEventRow>('SELECT * FROM consent_events ORDER BY seq');
  let prev = GENESIS_HASH;
  for (const row of rows) {
    const h = hash({ ...row, prev_hash: prev });
    await ctx.db.run('UPDATE consent_events SET prev_hash = ?, hash = ? WHERE seq = ?', [prev, h, row.seq]);
    prev = h;
  }
  await ctx.db.run('UPDATE ledger_head SET hash = ?, count = ?, seq = ? WHERE id = 1', [
    prev,
    rows.length,
    rows.at(-1)?.seq ?? 0,
  ]);
}

/** A fresh database and one venue for each test of the calling suite. */
export function ledgerWorld(backend: Backend): { ctx: TestContext; venue: Venue } {
  const w = {} as { ctx: TestContext; venue: Venue };
  beforeEach(async () => {
    w.ctx = await testContext({ backend });
    w.venue = await createVenue(w.ctx.db, { slug: 'cafe', name: 'Café Central', country: 'BG' });
  });
  afterEach(() => w.ctx.cleanup());
  return w;
}
