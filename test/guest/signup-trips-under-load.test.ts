// Writer trips per sign-up when many guests sign up at once (issue 18): SQLite's one writer
// connection is what caps sign-ups, and a write whose answer nobody reads (the SMS results,
// the confirmation's log row) must not hold it for a trip of its own while another
// transaction holds it: it rides on that one's COMMIT. signup-statements.test.ts pins the
// idle case, one step at a time; this one counts every call into the writer connection
// (each a trip to its worker thread and back) while 16 guests go through the whole flow.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { countWriterTrips } from '../store/writer-trips.ts';
import { Browser, formFields, makeVenue, outbox, toCodePage, waitFor } from './helpers.ts';

const GUESTS = 16;
/**
 * Writer trips one sign-up may take under load: the start (its COMMIT, which checks its
 * limits) and the code transaction (its check and COMMIT; the ledger head and subject read
 * beside); nothing else. Counted as trips to the worker thread (test/store/writer-trips.ts: an
 * unprepared statement is two): 6.16 when the code transaction and db.write were merged, 4.25
 * once the writer's statements were kept prepared, 3.25-3.34 once the start's limits were
 * checked by its COMMIT (three runs).
 */
const MAX_TRIPS_PER_SIGNUP = 4;

describe('writer trips per sign-up, 16 guests at once [sqlite]', function () {
  this.timeout(60_000);
  let ctx: TestContext;
  let srv: TestServer;
  before(async () => {
    ctx = await testContext();
    // Limits that refuse none of these guests (one NAS for all of them).
    await makeVenue(ctx, 'cafe', {
      limits: {
        perNumber10Min: 100,
        perMacHour: 1000,
        perIpHour: 10_000,
        perNasHour: 1_000_000,
        venueDaily: 1_000_000,
      },
    });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv?.close();
    await ctx?.cleanup();
  });

  async function signUp(n: number): Promise<void> {
    const b = new Browser(srv.url);
    const national = `0887${String(n).padStart(6, '0')}`;
    const mac = `02-00-00-0${Math.floor(n / 256)}-${(n % 256).toString(16).padStart(2, '0')}-01`;
    const ip = `10.1.${Math.floor(n / 256)}.${n % 256}`;
    const { e164, code, page } = await toCodePage(ctx, b, national, mac, ip);
    const done = await b.post('/p/cafe/code', { ...formFields(page.html, '/code'), code });
    assert.equal(done.status, 303, done.html);
    assert.equal((await b.get(done.location!)).status, 200);
    // The confirmation SMS goes out after the answer: its writes belong to the sign-up too.
    await waitFor(() => outbox(ctx).some((m) => m.to === e164 && /STOP/i.test(m.text)) || undefined, 10_000);
  }

  it(`takes at most ${MAX_TRIPS_PER_SIGNUP} writer trips a sign-up`, async () => {
    for (let i = 0; i < 2; i++) await signUp(900 + i); // the page version registered, caches warm
    await new Promise((r) => setTimeout(r, 100));
    // Each of GUESTS guests signs up twice, one after the other, all at once.
    const trips = await countWriterTrips(async () => {
      await Promise.all(
        Array.from({ length: GUESTS }, async (_, g) => {
          await signUp(g * 2);
          await signUp(g * 2 + 1);
        }),
      );
      await new Promise((r) => setTimeout(r, 100));
    });
    const perSignUp = trips / (GUESTS * 2);
    console.log(`      ${trips} writer trips for ${GUESTS * 2} sign-ups: ${perSignUp.toFixed(2)} each`);
    assert.ok(perSignUp <= MAX_TRIPS_PER_SIGNUP, `${perSignUp.toFixed(2)} writer trips a sign-up`);
  });
});
