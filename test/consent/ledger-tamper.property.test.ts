// Issue 16: "the ledger names any altered event" held for EVERY hashed column, not two.
// Events that fill every field (test/support/ledger-fixtures.ts signUpFull) are altered
// one column at a time, to values fast-check draws, by someone who dropped the
// append-only guards; `ledger verify` must name the altered event each time.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { eachBackend } from '../support/backends.ts';
import { ledgerWorld, signUpFull, dropLedgerGuards } from '../support/ledger-fixtures.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { HASHED_COLUMNS, type ConsentEventRow } from '../../portal/consent/event.ts';
import type { Param } from '../../portal/store/db.ts';

type Column = (typeof HASHED_COLUMNS)[number];
const NOT_NULL = new Set<Column>([
  'id',
  'at',
  'venue_id',
  'purpose',
  'decision',
  'channel',
  'number_hash',
  'prev_hash',
]);

/** A value other than `was` that the column can hold. */
function otherValue(column: Column, was: unknown): fc.Arbitrary<Param> {
  if (column === 'at')
    return fc
      .integer({ min: -86_400_000, max: 86_400_000 })
      .filter((d) => d !== 0)
      .map((d) => Number(was) + d);
  const text = fc
    .oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
      fc.constantFrom('granted', 'declined', 'withdrawn', 'sms', 'email', 'terms'),
    )
    .filter((v) => v !== was);
  return NOT_NULL.has(column) ? text : fc.oneof(text, fc.constant(null));
}

eachBackend('ledger tamper: every hashed column', (backend) => {
  const w = ledgerWorld(backend);
  let rows: ConsentEventRow[];
  beforeEach(async () => {
    for (const n of ['+359881234567', '+359887654321', '+359881111111']) await signUpFull(w.ctx, w.venue, n);
    rows = await w.ctx.db.all<ConsentEventRow>('SELECT * FROM consent_events ORDER BY seq');
    await dropLedgerGuards(w.ctx);
  });

  it('fills every hashed field in the fixture', () => {
    for (const row of rows)
      for (const c of HASHED_COLUMNS) assert.ok(row[c] !== null && row[c] !== '', `${c} of event ${row.seq} is empty`);
  });

  for (const column of HASHED_COLUMNS) {
    it(`names the event whose ${column} was altered`, async function () {
      this.timeout(60_000);
      await fc.assert(
        fc.asyncProperty(
          fc.nat(rows.length - 1).chain((i) => fc.tuple(fc.constant(i), otherValue(column, rows[i][column]))),
          async ([i, value]) => {
            const target = rows[i];
            const set = `UPDATE consent_events SET ${column} = ? WHERE seq = ?`;
            await w.ctx.db.run(set, [value, target.seq]);
            try {
              const r = await verifyLedger(w.ctx.db, w.ctx.keys);
              assert.equal(
                r.ok,
                false,
                `verify accepted ${column} ${JSON.stringify(target[column])} -> ${JSON.stringify(value)} on event ${target.seq}`,
              );
              assert.equal(!r.ok && r.broken.seq, target.seq, `verify named ${JSON.stringify(r)}`);
            } finally {
              await w.ctx.db.run(set, [target[column] as Param, target.seq]);
            }
          },
        ),
        { numRuns: 8 },
      );
      assert.deepEqual(await verifyLedger(w.ctx.db, w.ctx.keys), { ok: true, count: rows.length });
    });
  }
});
