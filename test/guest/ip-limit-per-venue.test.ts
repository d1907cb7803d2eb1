// Issue 14 #12: the per-client-IP SMS limit counts per venue. One busy NAT (a hotel, an
// airport, a mobile carrier's shared address) reaching a venue's limit must not block the
// guests of every other venue behind the same address.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { ConsoleGateway } from '../../portal/sms/console.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { issueCode, type VerificationDeps, type SendRequest } from '../../portal/verification/verifications.ts';
import { sendBlocked, type SendKeys } from '../../portal/verification/limits.ts';

eachBackend('the per-IP SMS limit is counted per venue', (backend) => {
  let ctx: TestContext;
  let a: Venue;
  let b: Venue;
  let deps: VerificationDeps;
  const clock = 1_800_000_000_000;
  before(async () => {
    ctx = await testContext({ backend });
    const settings = venueSettingsSchema.parse({ limits: { perIpHour: 3 } });
    a = await createVenue(ctx.db, { slug: 'hotel', name: 'Hotel', country: 'BG', settings });
    b = await createVenue(ctx.db, { slug: 'airport', name: 'Airport', country: 'BG', settings });
    deps = {
      db: ctx.db,
      keys: ctx.keys,
      cipher: ctx.cipher,
      log: ctx.log,
      sms: new ConsoleGateway(join(ctx.dir, 'outbox.jsonl'), ctx.log),
      now: () => clock,
    };
  });
  after(() => ctx?.cleanup());

  let n = 0;
  const NAT = '203.0.113.7';
  const keys = (venue: Venue): SendKeys => ({
    venueId: venue.id,
    numberHash: `num-${++n}`,
    macHash: `mac-${n}`,
    clientIp: NAT,
    nasId: `nas-${n}`,
    callingCode: '359',
  });
  const req = (k: SendKeys): SendRequest => ({
    keys: k,
    e164: `+35988${String(1000000 + n)}`,
    settings: a.settings,
    text: (code) => `code ${code}`,
  });

  it("a shared address that used up one venue's limit still gets codes at another venue", async () => {
    for (let i = 0; i < 3; i++)
      assert.equal((await issueCode(deps, `flow-a-${i}`, req(keys(a)))).ok, true, `send ${i} at venue A`);
    assert.equal(
      (await sendBlocked(ctx.db, a.settings.limits, keys(a), clock))?.scope,
      'ip',
      'venue A: the address has used its limit',
    );
    assert.equal(
      await sendBlocked(ctx.db, b.settings.limits, keys(b), clock),
      undefined,
      "venue B is not blocked by venue A's sends",
    );
    assert.equal((await issueCode(deps, 'flow-b-0', req(keys(b)))).ok, true);
  });
});
