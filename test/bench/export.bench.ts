// Peak memory of a streamed 1,000,000-event consent export, beside the same export of
// 10,000 events (streaming: the two should be close) and beside the naive way, every
// row read into memory first (the baseline streaming is for).
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { testContext, type TestContext } from '../support/context.ts';
import { bulkEvents } from '../support/ledger-fixtures.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { exportConsents } from '../../portal/consent/export.ts';
import type { AppContext } from '../../portal/context.ts';
import { report } from './report.ts';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The CLI export of a venue in its own process with the V8 heap capped at `heapMb`: it can
 * only finish if memory stays bounded whatever the ledger's size. Resolves the process's
 * peak resident memory (VmHWM) in MiB.
 */
function cappedCliExport(ctx: TestContext, slug: string, heapMb: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${heapMb}`,
        'portal/foyer.mjs',
        'consents',
        'export',
        '--venue',
        slug,
        '--format',
        'csv',
        '--out',
        '/dev/null',
      ],
      {
        env: {
          ...process.env,
          DATABASE_URL: ctx.config.databaseUrl,
          DATA_DIR: ctx.dir,
          SECRET_KEY: ctx.config.SECRET_KEY,
          LOG_LEVEL: 'silent',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let hwm = 0;
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const poll = setInterval(() => {
      try {
        hwm = Math.max(hwm, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0));
      } catch {
        /* exited */
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code === 0) resolve(hwm / 1024);
      else reject(new Error(`export under a ${heapMb} MB heap failed (${code}): ${err}`));
    });
  });
}

const BIG = Number(process.env.BENCH_EXPORT_EVENTS ?? 1_000_000);
const SMALL = 10_000;

async function peakDuringExport(
  ctx: AppContext,
  venueId: string,
): Promise<{ peakMb: number; seconds: number; bytes: number }> {
  gc!();
  const base = process.memoryUsage().rss;
  let peak = base;
  let heapPeak = 0;
  let bytes = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  await pipeline(
    Readable.from(exportConsents(ctx.db, ctx.cipher, 'Bench', { venueId, format: 'csv' })),
    new Writable({
      write(chunk, _enc, cb) {
        bytes += chunk.length;
        const m = process.memoryUsage();
        peak = Math.max(peak, m.rss);
        heapPeak = Math.max(heapPeak, m.heapUsed);
        cb();
      },
    }),
  );
  clearInterval(timer);
  if (process.env.BENCH_DEBUG)
    console.error(
      `# rss +${((peak - base) / 1048576).toFixed(1)} MiB, heap peak ${(heapPeak / 1048576).toFixed(1)} MiB, ${bytes} bytes`,
    );
  return { peakMb: (peak - base) / 1048576, seconds: (performance.now() - started) / 1000, bytes };
}

async function naivePeak(ctx: AppContext, venueId: string): Promise<number> {
  gc!();
  const base = process.memoryUsage().rss;
  const rows = await ctx.db.all(
    'SELECT e.*, s.number_enc FROM consent_events e LEFT JOIN subjects s ON s.id = e.subject_id WHERE e.venue_id = ? ORDER BY e.seq',
    [venueId],
  );
  const lines = rows.map((r) => JSON.stringify(r));
  const peak = process.memoryUsage().rss;
  if (!lines.length) throw new Error('naive export read nothing');
  return (peak - base) / 1048576;
}

/**
 * The peaks are only comparable after a full collection, which needs --expose-gc: the bench
 * runs itself in a child started with the flag (npm run bench does not pass it).
 */
export default async function (): Promise<void> {
  if (typeof globalThis.gc === 'function') return exportBench();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
      stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`export bench exited ${code}`))));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  await exportBench();
  process.exit(0);
}

async function exportBench(): Promise<void> {
  const ctx = await testContext();
  try {
    const big = await createVenue(ctx.db, { slug: 'big', name: 'Big', country: 'BG' });
    const small = await createVenue(ctx.db, { slug: 'small', name: 'Small', country: 'BG' });
    console.error(`# inserting ${BIG + SMALL} events ...`);
    await bulkEvents(ctx, small.id, SMALL, 5000);
    await bulkEvents(ctx, big.id, BIG, 5000);
    const s = await peakDuringExport(ctx, small.id);
    const b = await peakDuringExport(ctx, big.id);
    report({
      bench: `export_peak_rss_growth_${BIG}_events`,
      value: b.peakMb,
      unit: 'MiB',
      baseline: `export_peak_rss_growth_${SMALL}_events`,
      baseline_value: s.peakMb,
    });
    const capped = await cappedCliExport(ctx, 'big', 32);
    const cappedSmall = await cappedCliExport(ctx, 'small', 32);
    report({
      bench: `export_cli_peak_rss_${BIG}_events_heap_capped_32MB`,
      value: capped,
      unit: 'MiB',
      baseline: `same, ${SMALL} events`,
      baseline_value: cappedSmall,
    });
    const naive = await naivePeak(ctx, big.id);
    report({
      bench: `export_peak_rss_growth_${BIG}_events_streamed`,
      value: b.peakMb,
      unit: 'MiB',
      baseline: `same export, all rows in memory`,
      baseline_value: naive,
    });
    report({
      bench: 'export_rows_per_second',
      value: BIG / b.seconds,
      unit: 'rows/s',
      baseline: `rows/s at ${SMALL} events`,
      baseline_value: SMALL / s.seconds,
    });
  } finally {
    await ctx.cleanup();
  }
}
