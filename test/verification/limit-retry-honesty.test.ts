// The counted limits (migration 018) know sends by the minute, not one by one: what they
// promise the guest, checked against the truth computed from the sends themselves, at
// random send times and check times. A guest over a limit is always refused, and told a
// time never earlier than the truth and less than a minute after it; a guest under it is
// refused only within the minute the window begins in, and then told a time less than a
// minute away. SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { RAISED } from '../support/send-traffic.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { recordSend, sendBlocked, type SendKeys } from '../../portal/verification/limits.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const LIMIT = 5;
const TRIALS = 200;

/** A small deterministic generator (mulberry32): the same trials on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

eachBackend('what the counted per-device limit tells the guest, against the truth', (backend) => {
  let ctx: TestContext;
  let venue: Venue;
  before(async () => {
    ctx = await testContext({ backend });
    venue = await createVenue(ctx.db, {
      slug: 'honest',
      name: 'Honest',
      country: 'BG',
      settings: venueSettingsSchema.parse({ limits: { ...RAISED, perMacHour: LIMIT } }),
    });
  });
  after(() => ctx?.cleanup());

  it(`${TRIALS} devices, random send and check times: never a send too many, never a time too early`, async function () {
    this.timeout(60_000);
    const next = random(18);
    const base = 2_100_000_000_000;
    let refusedEarly = 0;
    let over = 0;
    let inexact = 0;
    for (let t = 0; t < TRIALS; t++) {
      const keys = (n: number | string): SendKeys => ({
        venueId: venue.id,
        numberHash: `h-${t}-${n}`,
        macHash: `mac-${t}`,
        clientIp: null,
        nasId: null,
        callingCode: '359',
      });
      // 4 to 12 sends in the last 75 minutes, half of them close together (several a minute).
      const now = base + t * 10 * HOUR;
      const cluster = now - 75 * MIN + next() * 75 * MIN;
      const sends = Array.from({ length: 4 + Math.floor(next() * 9) }, () =>
        Math.min(now - 1, Math.floor(next() < 0.5 ? cluster + next() * 3 * MIN : now - 75 * MIN + next() * 75 * MIN)),
      ).sort((a, b) => a - b);
      await ctx.db.tx(async (tx) => sends.forEach((at, i) => recordSend(tx, keys(i), `v-${t}-${i}`, at)));

      const inWindow = sends.filter((at) => at > now - HOUR).sort((a, b) => b - a);
      const truth = inWindow.length >= LIMIT ? inWindow[LIMIT - 1] + HOUR : undefined;
      const told = await sendBlocked(ctx.db, venue.settings.limits, keys('next'), now);
      const trial = `trial ${t}: sends ${JSON.stringify(sends.map((at) => at - now))}, truth ${truth && truth - now}, told ${told && told.retryAt - now}`;
      if (truth !== undefined) {
        over++;
        if (told?.retryAt !== truth) inexact++;
        assert.equal(told?.scope, 'mac', `over the limit, refused: ${trial}`);
        assert.ok(told.retryAt >= truth, `never earlier than the truth: ${trial}`);
        assert.ok(told.retryAt < truth + MIN, `less than a minute after it: ${trial}`);
      } else if (told) {
        refusedEarly++;
        assert.equal(told.scope, 'mac', trial);
        assert.ok(told.retryAt < now + MIN, `refused under the limit only within a minute of its lifting: ${trial}`);
      }
    }
    assert.ok(refusedEarly < TRIALS / 4, `refused under the limit in ${refusedEarly} of ${TRIALS} trials`);
    // Both sides were tried, and times the minutes could not tell exactly.
    assert.ok(
      over >= TRIALS / 4 && inexact > 0,
      `${over} trials over the limit, ${inexact} told a later time than the truth`,
    );
    console.log(
      `      ${over} of ${TRIALS} over the limit (${inexact} told up to a minute late), ${refusedEarly} refused within the minute before it lifted`,
    );
  });
});
