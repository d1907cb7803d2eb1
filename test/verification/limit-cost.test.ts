// A send-limit check runs inside the writer's hold (issue 18): its cost must not grow with
// the traffic in its windows. Rows read are what PostgreSQL's EXPLAIN ANALYZE reports for
// the very statements sendBlocked sends (caught on their way to the database), at 10 sends in
// the windows and at 20,000, every limit raised to its highest (the old check, the N-th
// most recent send by OFFSET N-1, walked up to N rows per rule: thousands here, tens of
// thousands at an airport venue's daily limit). SQLite reports no rows read: its timing
// ratio is a bench line (test/bench/limits.bench.ts).
import assert from 'node:assert/strict';
import { needs, requirements } from '../support/env.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { fillSends, RAISED, trafficKeys } from '../support/send-traffic.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { sendBlocked } from '../../portal/verification/limits.ts';
import type { Param, Queryable } from '../../portal/store/db.ts';

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

/** Rows the scans of a plan produced, over all their loops. */
const rowsRead = (p: PlanNode): number =>
  (p['Relation Name'] ? p['Actual Rows'] * p['Actual Loops'] : 0) +
  (p.Plans ?? []).reduce((s, c) => s + rowsRead(c), 0);

describe('a send-limit check reads no more rows at 20,000 sends in its windows than at 10 [postgres]', function () {
  let ctx: TestContext;
  const now = 2_000_000_000_000;
  const HOUR = 3_600_000;

  before(async function () {
    needs(this, requirements.postgres);
    ctx = await testContext({ backend: 'postgres' });
  });
  after(() => ctx?.cleanup());

  /** The rows the check of one more send reads, after `sends` sends spread over the last 50 minutes. */
  async function checkRows(slug: string, sends: number): Promise<number> {
    const venue = await createVenue(ctx.db, {
      slug,
      name: slug,
      country: 'BG',
      settings: venueSettingsSchema.parse({ limits: RAISED }),
    });
    await fillSends(ctx.db, venue.id, sends, now, (50 * HOUR) / 60);
    const seen: Array<[string, Param[] | undefined]> = [];
    const spy: Queryable = {
      dialect: ctx.db.dialect,
      all: (sql, params) => (seen.push([sql, params]), ctx.db.all(sql, params)),
      get: (sql, params) => (seen.push([sql, params]), ctx.db.get(sql, params)),
      run: (sql, params) => (seen.push([sql, params]), ctx.db.run(sql, params)),
    };
    // 20,000 exceed the address's 10,000 an hour: that refusal reads its minutes again for
    // the retry time. Let through, the check is one statement.
    const blocked = await sendBlocked(spy, venue.settings.limits, trafficKeys(venue.id, 'next'), now);
    assert.equal(seen.length, blocked ? 2 : 1, 'statements');
    let rows = 0;
    for (const [sql, params] of seen) {
      const plan = await ctx.db.get<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> | string }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
        params,
      );
      const p = plan!['QUERY PLAN'];
      rows += rowsRead((typeof p === 'string' ? (JSON.parse(p) as Array<{ Plan: PlanNode }>) : p)[0].Plan);
    }
    return rows;
  }

  it('counts the rows of its statements, at 10 sends and at 20,000', async function () {
    this.timeout(180_000);
    const few = await checkRows('few', 10);
    const many = await checkRows('many', 20_000);
    // 2,000 times the traffic; the sends fill 50 minutes either way, at most one row a minute per rule.
    assert.ok(few > 0, 'the check reads the sends it counts');
    assert.ok(many <= few * 10, `rows read: ${few} at 10 sends, ${many} at 20,000`);
    console.log(`      rows read by one check: ${few} at 10 sends in the windows, ${many} at 20,000`);
  });
});
