// What one complete sign-up costs the database (issue 18: "a handful of statements"):
// screen 1 from a NAS redirect, its submit, the code page and the code, over real HTTP
// on a real SQLite file and on PostgreSQL, with every statement counted, and the round
// trips that hold the writer (SQLite's one writer connection, a PostgreSQL transaction's)
// and the ledger. Pinned so that it cannot grow back unnoticed: a change that adds a
// statement or a trip to the guest path has to change these numbers and say why.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { countStatements, type StatementLog } from '../support/statement-count.ts';
import { eachBackend } from '../support/backends.ts';
import { Browser, formFields, lastCode, makeVenue, outbox, waitFor } from './helpers.ts';

/**
 * What one sign-up may cost at most, per backend (today's counts: lower them when you cut one).
 * The code transaction (POST code) on PostgreSQL reads the ledger head and the subject beside
 * its code check and writes the rest with the COMMIT: its connection is held for two trips.
 * On SQLite, once the process has recorded a sign-up, a right code is used, and the sign-up
 * recorded on the head that process last wrote, all with the COMMIT, each required to be
 * still what it was (store/requirements.ts): the writer is held for the COMMIT's trip (and
 * the BEGIN's, which under load rides with the previous COMMIT). The send's limit counters (migration 018) are
 * written with its COMMIT, and its limits are read on a reader before the send and checked
 * again by the COMMIT itself (migration 019): the send's transaction is one trip.
 */
const PINNED = {
  // The flow row goes with the code's transaction, the SMS results and the confirmation's
  // log row are db.write (one trip each here, where the writer is idle; none of their own
  // under load: test/store/write.test.ts, test/guest/signup-trips-under-load.test.ts).
  // SQLite's second sign-up on: the code's use, the ledger head this process last wrote and
  // the subject read before it are required with the COMMIT (record-signup.ts), one trip.
  sqlite: { statements: 37, writerTrips: 5, ledgerTrips: 1 },
  postgres: { statements: 36, writerTrips: 6, ledgerTrips: 2 },
};

eachBackend('statements and writer round trips of one complete sign-up', (backend) => {
  let ctx: TestContext;
  let srv: TestServer;
  let log: StatementLog;

  before(async () => {
    ctx = await testContext({ backend });
    log = countStatements(ctx.db);
    await makeVenue(ctx);
    srv = await serve(ctx);
  });
  after(async () => {
    await srv?.close();
    await ctx?.cleanup();
  });

  /** One guest from the NAS redirect to the hand-back; the statements each step sent. */
  type Step = { sql: string[]; writerTrips: number; ledgerTrips: number };
  async function signUp(n: number): Promise<Record<string, Step>> {
    const b = new Browser(srv.url);
    const steps: Record<string, Step> = {};
    const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      log.reset();
      const r = await fn();
      // Not the venue's row: the pages check it once a second per process whatever the traffic
      // (venues/cached-venues.ts), so it lands in whichever step comes after a second went by
      // (on a slow machine, sometimes this sign-up's) and is no part of a sign-up's cost.
      const sql = log.sql.filter((q) => !/^\s*SELECT \* FROM venues WHERE slug = \?/.test(q));
      steps[name] = { sql, writerTrips: log.writerTrips, ledgerTrips: log.ledgerTrips };
      return r;
    };
    const national = `08870000${String(n).padStart(2, '0')}`;
    const e164 = `+359${national.slice(1)}`;
    const mac = `02-00-00-00-01-${n.toString(16).padStart(2, '0')}`;
    const first = await step('GET screen 1', () =>
      b.get(`/p/cafe?mac=${mac}&ip=10.0.1.${n}&nas=ap-lobby&ssid=Guest&url=http%3A%2F%2Fexample.com%2F`),
    );
    assert.equal(first.status, 200, first.html);
    const started = await step('POST start', () =>
      b.post('/p/cafe/start', {
        ...formFields(first.html, '/start'),
        phone: national,
        consent_terms: 'yes',
        consent_sms: 'yes',
      }),
    );
    assert.equal(started.status, 303, started.html);
    const code = await step('GET code', () => b.get(started.location!));
    assert.equal(code.status, 200, code.html);
    const done = await step('POST code', () =>
      b.post('/p/cafe/code', { ...formFields(code.html, '/code'), code: lastCode(ctx) }),
    );
    assert.equal(done.status, 303, done.html);
    assert.match(done.location!, /^\/p\/cafe\/online\?f=/);
    const online = await step('GET online', () => b.get(done.location!));
    assert.equal(online.status, 200, online.html);
    // The confirmation SMS goes out after the answer: its statements belong to the sign-up too.
    await step('after (confirmation SMS)', async () => {
      await waitFor(() => outbox(ctx).some((m) => m.to === e164 && /STOP/i.test(m.text)) || undefined);
      await new Promise((r) => setTimeout(r, 200));
    });
    return steps;
  }

  it('costs at most the pinned statements and writer round trips, screen 1 none', async () => {
    await signUp(1); // the first registers the page version and warms the caches
    const steps = await signUp(2);
    const sum = (f: (s: Step) => number) => Object.values(steps).reduce((t, s) => t + f(s), 0);
    const total = {
      statements: sum((s) => s.sql.length),
      writerTrips: sum((s) => s.writerTrips),
      ledgerTrips: sum((s) => s.ledgerTrips),
    };
    const shown = Object.entries(steps)
      .map(
        ([k, s]) =>
          `${k} (${s.sql.length} statements, ${s.writerTrips} writer trips, ${s.ledgerTrips} holding the ledger):\n    ${s.sql.join('\n    ')}`,
      )
      .join('\n');
    if (process.env.FOYER_SHOW_STATEMENTS) console.log(`${shown}\ntotal: ${JSON.stringify(total)}`);
    assert.equal(
      steps['GET screen 1'].sql.filter((s) => !/^\s*SELECT/i.test(s)).length,
      0,
      `screen 1 writes nothing:\n${shown}`,
    );
    assert.equal(steps['GET screen 1'].writerTrips, 0, shown);
    const pinned = PINNED[backend];
    assert.ok(total.statements <= pinned.statements, `one sign-up sent ${total.statements} statements:\n${shown}`);
    assert.ok(
      total.writerTrips <= pinned.writerTrips,
      `one sign-up held the writer ${total.writerTrips} trips:\n${shown}`,
    );
    assert.ok(
      total.ledgerTrips <= pinned.ledgerTrips,
      `one sign-up held the ledger ${total.ledgerTrips} trips:\n${shown}`,
    );
  });
});
