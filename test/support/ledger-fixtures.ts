// Quick ways to put realistic events on the ledger.
import type { AppContext } from '../../portal/context.ts';
import { appendEvents } from '../../portal/consent/append.ts';
import { upsertSubject, numberHash } from '../../portal/consent/subjects.ts';
import type { Purpose, Decision } from '../../portal/consent/event.ts';

export async function signUp(ctx: AppContext, venueId: string, e164: string, decisions: Partial<Record<Purpose, Decision>> = { terms: 'granted', sms: 'granted' }, at?: number) {
  return ctx.db.tx(async (tx) => {
    const subjectId = await upsertSubject(tx, ctx, venueId, { e164, name: 'Test Guest' }, at);
    return appendEvents(
      tx,
      Object.entries(decisions).map(([purpose, decision]) => ({
        venueId, purpose: purpose as Purpose, decision: decision as Decision, channel: 'portal' as const,
        numberHash: numberHash(ctx.keys, e164), subjectId, locale: 'en', templateVersionId: null, clientIp: '192.0.2.7', clientMac: 'aa:bb:cc:dd:ee:ff',
      })),
      at,
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
          venueId, purpose: (['terms', 'sms', 'email'] as const)[(done + i) % 3], decision: 'granted' as const, channel: 'import' as const,
          numberHash: numberHash(ctx.keys, `+3598800${String(done + i).padStart(5, '0')}`), locale: 'bg',
        })),
      ),
    );
  }
}
