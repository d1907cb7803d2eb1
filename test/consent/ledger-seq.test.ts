// Each event's seq is given by the append (the head's plus its place), so nothing is read
// back under the ledger's lock (issue 18): the seqs run on from the head without a gap, the
// chain verifies, PostgreSQL's identity sequence keeps up with them, and a head put back
// over later events makes the next append fail as a conflict rather than fork the chain.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { ledgerWorld, signUp } from '../support/ledger-fixtures.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { StoreError } from '../../portal/store/db.ts';
import { appendEvents } from '../../portal/consent/append.ts';
import { numberHash } from '../../portal/consent/subjects.ts';

eachBackend('ledger seq given by the append', (backend) => {
  const w = ledgerWorld(backend);
  const seqs = async () =>
    (await w.ctx.db.all<{ seq: number }>('SELECT seq FROM consent_events ORDER BY seq')).map((r) => Number(r.seq));

  it('numbers events on from the head, without gaps, and the chain verifies', async () => {
    await signUp(w.ctx, w.venue.id, '+359888000001');
    await signUp(w.ctx, w.venue.id, '+359888000002', { terms: 'granted', sms: 'declined', email: 'granted' });
    // A refused append (rolled back) leaves no gap behind it either.
    await assert.rejects(
      w.ctx.db.tx(async (tx) => {
        await appendEvents(
          tx,
          [
            {
              venueId: w.venue.id,
              purpose: 'terms',
              decision: 'granted',
              channel: 'portal',
              numberHash: numberHash(w.ctx.keys, '+359888000003'),
              locale: 'en',
              templateVersionId: null,
            },
          ],
          w.ctx.keys,
        );
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    await signUp(w.ctx, w.venue.id, '+359888000004');
    const all = await seqs();
    assert.deepEqual(
      all,
      all.map((_, i) => all[0] + i),
    );
    const head = await w.ctx.db.get<{ seq: number; count: number }>('SELECT seq, count FROM ledger_head WHERE id = 1');
    assert.equal(Number(head!.seq), all.at(-1));
    assert.equal((await verifyLedger(w.ctx.db, w.ctx.keys)).ok, true);
    if (backend === 'postgres') {
      const s = await w.ctx.db.get<{ v: number }>(
        `SELECT pg_sequence_last_value(pg_get_serial_sequence('consent_events', 'seq')) AS v`,
      );
      assert.equal(Number(s!.v), all.at(-1), 'the identity sequence is at the head');
    }
  });

  it('refuses to append over events beyond a head that was put back, as a conflict', async () => {
    await signUp(w.ctx, w.venue.id, '+359888000001');
    const earlier = await w.ctx.db.get<Record<string, string | number | null>>(
      'SELECT seq, hash, count, at, v2_from, mac FROM ledger_head WHERE id = 1',
    );
    await signUp(w.ctx, w.venue.id, '+359888000002');
    const before = await seqs();
    await w.ctx.db.run(
      'UPDATE ledger_head SET seq = ?, hash = ?, count = ?, at = ?, v2_from = ?, mac = ? WHERE id = 1',
      [earlier!.seq, earlier!.hash, earlier!.count, earlier!.at, earlier!.v2_from, earlier!.mac],
    );
    await assert.rejects(
      signUp(w.ctx, w.venue.id, '+359888000003'),
      (e: unknown) => e instanceof StoreError && e.code === 'conflict',
    );
    assert.deepEqual(await seqs(), before, 'nothing was appended');
  });
});
