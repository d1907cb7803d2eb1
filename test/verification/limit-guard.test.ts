// A send's limits are read on a reader before its transaction and checked again by the
// transaction's COMMIT (limits.ts guardSendLimits, store/requirements.ts), which holds the writer for
// one trip instead of two. These are the sends the read lets through wrongly: another send
// takes the last one allowed between the read and the transaction. The COMMIT must then
// refuse, write nothing, and the guest be told which limit and until when, exactly as a
// check under the lock would say. SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { issueCode, type SendRequest, type VerificationDeps } from '../../portal/verification/verifications.ts';
import type { SendKeys } from '../../portal/verification/limits.ts';
import type { Db } from '../../portal/store/db.ts';

const MIN = 60_000;

eachBackend('send limits checked by the COMMIT', (backend) => {
  let ctx: TestContext;
  let venue: Venue;
  const clock = 1_960_000_000_000;
  const sent: string[] = [];
  const sms = {
    name: 'recording',
    async send(m: { text: string }) {
      sent.push(m.text);
      return { ref: String(sent.length) };
    },
  };

  before(async () => {
    ctx = await testContext({ backend });
    venue = await createVenue(ctx.db, {
      slug: 'guard',
      name: 'Guard',
      country: 'BG',
      settings: venueSettingsSchema.parse({ limits: { perNumber10Min: 3 } }),
    });
  });
  after(() => ctx?.cleanup());

  const keys: () => SendKeys = () => ({
    venueId: venue.id,
    numberHash: 'guarded-number',
    macHash: null,
    clientIp: null,
    nasId: null,
    callingCode: '359',
  });
  const req = (): SendRequest => ({
    keys: keys(),
    e164: '+359881234567',
    settings: venue.settings,
    text: (code) => `code ${code}`,
  });
  const deps = (db: Db, at: number): VerificationDeps => ({
    db,
    keys: ctx.keys,
    cipher: ctx.cipher,
    log: ctx.log,
    sms,
    now: () => at,
  });
  const count = async (sql: string) => Number((await ctx.db.get<{ n: number }>(sql))!.n);

  /** The database, but its first read (the send's read of its limits) answers only after `between` ran. */
  const readThenWait = (between: () => Promise<unknown>): Db => {
    let first = true;
    return new Proxy(ctx.db, {
      get(target, prop) {
        if (prop === 'get')
          return async (sql: string, params?: never[]) => {
            const row = await target.get(sql, params);
            if (first) {
              first = false;
              await between();
            }
            return row;
          };
        const v = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };

  it('refuses the send whose limit another took after its read, writing nothing, with the limit and its time', async () => {
    for (let i = 0; i < 2; i++)
      assert.equal((await issueCode(deps(ctx.db, clock + i * MIN), `f-${i}`, req())).ok, true);
    const before = {
      codes: await count('SELECT COUNT(*) AS n FROM verifications'),
      counted: await count(`SELECT COALESCE(SUM(n), 0) AS n FROM verification_counts WHERE dim = 'number'`),
      sms: sent.length,
    };
    // Its read sees two of three sends; the third is taken before its transaction.
    const late = await issueCode(
      deps(
        readThenWait(() => issueCode(deps(ctx.db, clock + 2 * MIN), 'f-2', req())),
        clock + 3 * MIN,
      ),
      'f-late',
      req(),
    );
    assert.deepEqual(late, { ok: false, reason: 'blocked', retryAt: clock + 10 * MIN });
    assert.equal(await count('SELECT COUNT(*) AS n FROM verifications'), before.codes + 1, 'only the one that took it');
    assert.equal(await count(`SELECT COUNT(*) AS n FROM verifications WHERE flow_id = 'f-late'`), 0);
    assert.equal(
      await count(`SELECT COALESCE(SUM(n), 0) AS n FROM verification_counts WHERE dim = 'number'`),
      before.counted + 1,
    );
    assert.equal(sent.length, before.sms + 1, 'no SMS for the refused send');
    assert.equal(await count('SELECT COUNT(*) AS n FROM tx_requirements'), 0, 'the requirements table stays empty');
  });

  it('lets exactly as many of eight parallel sends through as the limit allows', async () => {
    const at = clock + 60 * MIN;
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => issueCode(deps(ctx.db, at), `p-${i}`, req())),
    );
    assert.equal(outcomes.filter((o) => o.ok).length, 3);
    for (const o of outcomes.filter((o) => !o.ok))
      assert.deepEqual(o, { ok: false, reason: 'blocked', retryAt: at + 10 * MIN });
    assert.equal(await count(`SELECT COUNT(*) AS n FROM verifications WHERE flow_id LIKE 'p-%'`), 3);
    assert.equal(await count('SELECT COUNT(*) AS n FROM tx_requirements'), 0);
  });
});
