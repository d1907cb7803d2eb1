// Codes and limits at their edges, from the survivors of `npm run mutate -- verification`:
// which limit the guest is told about, resend in each state, parallel right guesses,
// unknown ids, and the number parser's bounds. SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import {
  issueCode,
  resendCode,
  checkCode,
  verificationState,
  type VerificationDeps,
  type SendRequest,
} from '../../portal/verification/verifications.ts';
import { sendBlocked, type SendKeys } from '../../portal/verification/limits.ts';
import { parseGuestPhone } from '../../portal/verification/phone.ts';
import { purgeExpiredCodes, purgeOldSends } from '../../portal/verification/purge.ts';
import type { OutboundSms, SmsGateway } from '../../portal/sms/gateway.ts';

const MIN = 60_000;

/** A gateway that records what it was given and can be made to refuse. */
function recordingGateway() {
  const sent: OutboundSms[] = [];
  const g: SmsGateway & { sent: OutboundSms[]; down: boolean } = {
    name: 'recording',
    sent,
    down: false,
    async send(m) {
      if (g.down) throw new Error('gateway down');
      sent.push(m);
      return { ref: String(sent.length) };
    },
  };
  return g;
}

eachBackend('codes and limits at their edges', (backend) => {
  let ctx: TestContext;
  let venue: Venue;
  let deps: VerificationDeps;
  let clock = 1_950_000_000_000;
  const sms = recordingGateway();
  let n = 0;

  before(async () => {
    ctx = await testContext({ backend });
    venue = await createVenue(ctx.db, {
      slug: 'edges',
      name: 'Edges',
      country: 'BG',
      settings: venueSettingsSchema.parse({ limits: { perNumber10Min: 5, perNumberDay: 2, perMacHour: 2 } }),
    });
    deps = { db: ctx.db, keys: ctx.keys, cipher: ctx.cipher, log: ctx.log, sms, now: () => clock };
  });
  after(() => ctx?.cleanup());
  beforeEach(() => {
    clock += 2 * 24 * 60 * MIN;
    sms.down = false;
  });

  const keys = (over: Partial<SendKeys> = {}): SendKeys => ({
    venueId: venue.id,
    numberHash: `e-${++n}`,
    macHash: `m-${n}`,
    clientIp: `10.2.0.${n & 255}`,
    nasId: null,
    callingCode: '359',
    ...over,
  });
  const req = (k: SendKeys): SendRequest => ({
    keys: k,
    e164: '+359881234567',
    settings: venue.settings,
    text: (code, minutes) => `code ${code} for ${minutes} min`,
  });
  const lastCode = () => /code (\d+)/.exec(sms.sent.at(-1)!.text)![1];

  it('names the limit that lifts last when two are in the way', async () => {
    const k = keys();
    const t0 = clock;
    for (let i = 0; i < 2; i++) assert.equal((await issueCode(deps, `f-${++n}`, req(k))).ok, true);
    // The number's day limit (lifts at t0 + 24 h) and the MAC's hour limit (t0 + 1 h) are
    // both reached; the guest is told the later one, whichever rule comes first.
    assert.deepEqual(await sendBlocked(ctx.db, venue.settings.limits, k, clock), {
      scope: 'number-day',
      retryAt: t0 + 24 * 60 * MIN,
    });
    assert.deepEqual(await sendBlocked(ctx.db, venue.settings.limits, { ...k, numberHash: 'other' }, clock), {
      scope: 'mac',
      retryAt: t0 + 60 * MIN,
    });
    // And when the rule that comes later lifts later: the number's 10-minute limit and the
    // MAC's hour, with limits where both are reached by the same two sends.
    const both = { ...venue.settings.limits, perNumber10Min: 2, perNumberDay: 1000 };
    assert.deepEqual(await sendBlocked(ctx.db, both, k, clock), { scope: 'mac', retryAt: t0 + 60 * MIN });
    const sends = await ctx.db.all<{ status: string }>('SELECT status FROM verification_sends WHERE number_hash = ?', [
      k.numberHash,
    ]);
    assert.deepEqual(
      sends.map((s) => s.status),
      ['sent', 'sent'],
    );
    assert.deepEqual(
      sms.sent.slice(-2).map((m) => [m.purpose, m.venueId]),
      [
        ['code', venue.id],
        ['code', venue.id],
      ],
    );
  });

  it('resends with the minutes left, and counts the cooldown from the last send', async () => {
    const k = keys();
    const t0 = clock;
    const v = await issueCode(deps, `f-${++n}`, req(k));
    assert.ok(v.ok);
    clock = t0 + 4 * MIN + 30_000;
    assert.equal((await resendCode(deps, v.verificationId, req(k))).ok, true);
    assert.match(sms.sent.at(-1)!.text, / for 6 min$/);
    assert.equal((await verificationState(ctx.db, v.verificationId, clock))?.lastSentAt, clock);
    clock += 20_000;
    assert.deepEqual(await resendCode(deps, v.verificationId, req(k)), {
      ok: false,
      reason: 'too_soon',
      retryAt: t0 + 4 * MIN + 60_000,
    });
    const k2 = keys();
    const w = await issueCode(deps, `f-${++n}`, req(k2));
    assert.ok(w.ok);
    clock = w.expiresAt - 10_000;
    assert.equal((await resendCode(deps, w.verificationId, req(k2))).ok, true);
    assert.match(sms.sent.at(-1)!.text, / for 1 min$/, 'never "0 min"');
  });

  it('refuses a resend that a limit blocks, or that the gateway fails, and says which', async () => {
    const k = keys();
    const v = await issueCode(deps, `f-${++n}`, req(k));
    assert.ok(v.ok);
    const t0 = clock;
    await issueCode(deps, `f-${++n}`, req({ ...keys(), numberHash: k.numberHash }));
    clock += 31_000;
    assert.deepEqual(await resendCode(deps, v.verificationId, req(k)), {
      ok: false,
      reason: 'blocked',
      retryAt: t0 + 24 * 60 * MIN,
    });
    const w = await issueCode(deps, `f-${++n}`, req(keys()));
    assert.ok(w.ok);
    clock += 31_000;
    sms.down = true;
    assert.deepEqual(await resendCode(deps, w.verificationId, req(keys())), { ok: false, reason: 'sms_failed' });
  });

  it('counts a resend that went out against the limits, not one the gateway refused, and hands back the submission with the right code', async () => {
    const k = keys();
    const submission = { number: '+359881234567', purposes: ['terms', 'sms_offers'], locale: 'bg' };
    const v = await issueCode(deps, `f-${++n}`, { ...req(k), submission });
    assert.ok(v.ok);
    const statuses = async () =>
      (
        await ctx.db.all<{ status: string }>(
          'SELECT status FROM verification_sends WHERE number_hash = ? ORDER BY id',
          [k.numberHash],
        )
      ).map((s) => s.status);
    clock += 31_000;
    sms.down = true;
    assert.deepEqual(await resendCode(deps, v.verificationId, req(k)), { ok: false, reason: 'sms_failed' });
    assert.deepEqual(await statuses(), ['sent', 'failed']);
    assert.equal(
      await sendBlocked(ctx.db, venue.settings.limits, k, clock),
      undefined,
      'a refused send is not counted (2 a day)',
    );
    sms.down = false;
    clock += 31_000;
    assert.equal((await resendCode(deps, v.verificationId, req(k))).ok, true);
    assert.deepEqual(await statuses(), ['sent', 'failed', 'sent']);
    assert.deepEqual([sms.sent.at(-1)!.purpose, sms.sent.at(-1)!.venueId], ['code', venue.id]);
    assert.equal(
      (await sendBlocked(ctx.db, venue.settings.limits, k, clock))?.scope,
      'number-day',
      'the resend is the second of 2 a day',
    );
    const checked = await ctx.db.tx((tx) => checkCode(tx, ctx.keys, v.verificationId, lastCode(), clock));
    assert.ok(checked.ok);
    assert.deepEqual(
      JSON.parse(ctx.cipher.decrypt(checked.submissionEnc!)),
      submission,
      "completion reads what screen 1 sent, from the code's own row",
    );
  });

  it('purges a code an hour after it expired and a send after 25 hours, not sooner', async () => {
    const k = keys();
    const v = await issueCode(deps, `f-${++n}`, req(k));
    assert.ok(v.ok);
    const rows = async () => [
      Number(
        (await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM verifications WHERE id = ?', [v.verificationId]))!
          .n,
      ),
      Number(
        (await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM verification_sends WHERE number_hash = ?', [
          k.numberHash,
        ]))!.n,
      ),
    ];
    const sentAt = clock;
    await purgeExpiredCodes(ctx.db, v.expiresAt + 59 * MIN);
    await purgeOldSends(ctx.db, sentAt + 24 * 60 * MIN + 59 * MIN);
    assert.deepEqual(await rows(), [1, 1], 'a late guest still hears "expired"; the day limit still sees the send');
    await purgeExpiredCodes(ctx.db, v.expiresAt + 61 * MIN);
    await purgeOldSends(ctx.db, sentAt + 25 * 60 * MIN + MIN);
    assert.deepEqual(await rows(), [0, 0]);
  });

  it('answers unknown, unsent and used codes with what they are', async () => {
    assert.deepEqual(await resendCode(deps, 'no-such-id', req(keys())), { ok: false, reason: 'expired' });
    assert.deepEqual(await ctx.db.tx((tx) => checkCode(tx, ctx.keys, 'no-such-id', '123456', clock)), {
      ok: false,
      reason: 'expired',
    });
    assert.equal(await verificationState(ctx.db, 'no-such-id', clock), undefined);
    sms.down = true;
    const flowId = `f-${++n}`;
    const failed = await issueCode(deps, flowId, req(keys()));
    assert.deepEqual(failed, { ok: false, reason: 'sms_failed' });
    const row = await ctx.db.get<{ id: string }>('SELECT id FROM verifications WHERE flow_id = ?', [flowId]);
    assert.equal((await verificationState(ctx.db, row!.id, clock))?.state, 'expired', 'a code that never went out');
    assert.deepEqual(await ctx.db.tx((tx) => checkCode(tx, ctx.keys, row!.id, '123456', clock)), {
      ok: false,
      reason: 'expired',
    });
    sms.down = false;
    const k = keys();
    const v = await issueCode(deps, `f-${++n}`, req(k));
    assert.ok(v.ok);
    const code = lastCode();
    const both = await Promise.all(
      [0, 1].map(() => ctx.db.tx((tx) => checkCode(tx, ctx.keys, v.verificationId, code, clock))),
    );
    assert.deepEqual(both.map((r) => (r.ok ? 'ok' : r.reason)).sort(), ['ok', 'used'], 'the right code opens once');
    clock += 31_000;
    assert.deepEqual(await resendCode(deps, v.verificationId, req(k)), { ok: false, reason: 'used' });
  });
});

describe('guest phone numbers at their edges', () => {
  it('trims before the 40-character bound and refuses past it', () => {
    const spaced = (len: number) => {
      const core = '+359 88 123 4567';
      return core.replace('88', '88' + ' '.repeat(len - core.length));
    };
    assert.equal(parseGuestPhone(`   ${spaced(40)}   `, 'BG', []).ok, true, '40 after trimming');
    assert.deepEqual(parseGuestPhone(spaced(41), 'BG', []), { ok: false, code: 'guest_phone_invalid' });
  });

  it('reads 00 as the international prefix whatever the venue country dials, and only at the start', () => {
    assert.deepEqual(parseGuestPhone('00359881234567', 'US', ['BG']), {
      ok: true,
      e164: '+359881234567',
      country: 'BG',
      callingCode: '359',
    });
    assert.deepEqual(parseGuestPhone('0881234500', 'BG', []), {
      ok: true,
      e164: '+359881234500',
      country: 'BG',
      callingCode: '359',
    });
  });

  it('accepts mobile and mobile-or-fixed numbers', () => {
    assert.equal(parseGuestPhone('+447400123456', 'GB', []).ok, true);
    assert.deepEqual(parseGuestPhone('+12015550123', 'US', []), {
      ok: true,
      e164: '+12015550123',
      country: 'US',
      callingCode: '1',
    });
  });
});
