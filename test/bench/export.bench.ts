// Peak memory of a 1,000,000-event consent export, beside the same export of 10,000
// events in the same run: streaming means the two should be about equal.
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { testContext } from '../support/context.ts';
import { bulkEvents } from '../support/ledger-fixtures.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { exportConsents } from '../../portal/consent/export.ts';
import type { AppContext } from '../../portal/context.ts';
import { report } from './report.ts';

const BIG = Number(process.env.BENCH_EXPORT_EVENTS ?? 1_000_000);
const SMALL = 10_000;

async function peakDuringExport(ctx: AppContext, venueId: string): Promise<{ peakMb: number; seconds: number; bytes: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  let bytes = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  await pipeline(
    Readable.from(exportConsents(ctx.db, ctx.cipher, 'Bench', { venueId, format: 'csv' })),
    new Writable({ write(chunk, _enc, cb) { bytes += chunk.length; peak = Math.max(peak, process.memoryUsage().rss); cb(); } }),
  );
  clearInterval(timer);
  return { peakMb: (peak - base) / 1048576, seconds: (performance.now() - started) / 1000, bytes };
}

export default async function () {
  const ctx = await testContext();
  try {
    const big = await createVenue(ctx.db, { slug: 'big', name: 'Big', country: 'BG' });
    const small = await createVenue(ctx.db, { slug: 'small', name: 'Small', country: 'BG' });
    console.error(`# inserting ${BIG + SMALL} events ...`);
    await bulkEvents(ctx, small.id, SMALL, 5000);
    await bulkEvents(ctx, big.id, BIG, 5000);
    const s = await peakDuringExport(ctx, small.id);
    const b = await peakDuringExport(ctx, big.id);
    report({ bench: `export_peak_rss_growth_${BIG}_events`, value: b.peakMb, unit: 'MiB', baseline: `export_peak_rss_growth_${SMALL}_events`, baseline_value: s.peakMb });
    report({ bench: 'export_rows_per_second', value: BIG / b.seconds, unit: 'rows/s', baseline: `rows/s at ${SMALL} events`, baseline_value: SMALL / s.seconds });
  } finally {
    await ctx.cleanup();
  }
}
