// Every lookup on the RADIUS path is one index search: no table scan, whatever the size.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { GRANT_STATE_SQL } from '../../portal/access/grant-state.ts';

const AUTH_AND_ACCOUNTING = {
  ...GRANT_STATE_SQL,
  sessionByNas: 'SELECT * FROM sessions WHERE nas_id = ? AND acct_session_id = ?',
  grantByUsername: 'SELECT id FROM grants WHERE username = ?',
  grantByMac: 'SELECT id FROM grants WHERE client_mac = ? AND venue_id = ? ORDER BY ends_at DESC LIMIT 1',
  closeNas: 'UPDATE sessions SET stopped_at = ?, terminate_cause = ? WHERE nas_id = ? AND stopped_at IS NULL',
  closeStale:
    'UPDATE sessions SET stopped_at = updated_at, terminate_cause = ? WHERE stopped_at IS NULL AND stale_at <= ?',
  lastReject: 'SELECT reason, at FROM access_rejects WHERE key = ?',
  grantChanges: 'SELECT seq, grant_id FROM grant_changes WHERE at > ?',
};

describe('access: query plans [sqlite]', () => {
  let ctx: TestContext;
  before(async () => (ctx = await testContext()));
  after(() => ctx.cleanup());

  for (const [name, sql] of Object.entries(AUTH_AND_ACCOUNTING)) {
    it(`${name} searches an index`, async () => {
      const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 'x');
      const plan = await ctx.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
      const steps = plan.map((p) => p.detail);
      assert.ok(
        steps.some((d) => d.startsWith('SEARCH')),
        steps.join('; '),
      );
      assert.deepEqual(
        steps.filter((d) => /^SCAN|TEMP B-TREE/.test(d)),
        [],
        steps.join('; '),
      );
    });
  }
});
