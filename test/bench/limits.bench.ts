// One send-limit check (verification/limits.ts sendBlocked, the statement the writer holds
// its transaction for) at 100,000 sends in its windows, beside the same check at 10 sends,
// same run, on SQLite and (when FOYER_TEST_POSTGRES_URL is set) PostgreSQL. Every limit is
// raised to its highest, where the old check walked up to the limit's count of sends per
// rule; the sends fill the last 50 minutes either way. A ratio near 1 is the point (the
// counters read at most one row a minute per rule); test/verification/limit-cost.test.ts
// asserts the same on the rows PostgreSQL reports.
import { performance } from 'node:perf_hooks';
import { testContext, type Backend } from '../support/context.ts';
import { postgresUrl } from '../support/env.ts';
import { fillSends, RAISED, trafficKeys } from '../support/send-traffic.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { sendBlocked } from '../../portal/verification/limits.ts';
import type { Db } from '../../portal/store/db.ts';
import { report } from './report.ts';

const MANY = Number(process.env.BENCH_LIMITS_SENDS ?? 100_000);
const CHECKS = 300;
const NOW = 2_000_000_000_000;
const SPREAD = 50 * 60_000;

/** Median µs of one check, after `sends` sends at a venue of its own. */
async function checkMicros(db: Db, slug: string, sends: number): Promise<number> {
  const venue = await createVenue(db, {
    slug,
    name: slug,
    country: 'BG',
    settings: venueSettingsSchema.parse({ limits: RAISED }),
  });
  await fillSends(db, venue.id, sends, NOW, SPREAD);
  // Another address: let through (the traffic's own is over its 10,000 an hour), the common case.
  const keys = { ...trafficKeys(venue.id, 'next'), clientIp: '10.99.0.2' };
  const times: number[] = [];
  for (let i = 0; i < CHECKS; i++) {
    const t0 = performance.now();
    await sendBlocked(db, venue.settings.limits, keys, NOW);
    times.push((performance.now() - t0) * 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

export default async function (): Promise<void> {
  const backends: Backend[] = postgresUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
  for (const backend of backends) {
    const ctx = await testContext({ backend });
    try {
      const few = await checkMicros(ctx.db, 'few', 10);
      const many = await checkMicros(ctx.db, 'many', MANY);
      report({
        bench: `limits: one send-limit check at ${MANY} sends in its windows, median µs (${backend})`,
        value: many,
        unit: 'µs',
        baseline: 'the same check at 10 sends, same run',
        baseline_value: few,
      });
    } finally {
      await ctx.cleanup();
    }
  }
}
