// Codes and limits against the database, on SQLite and PostgreSQL: every limit, the
// retry time, failed sends not counted, limits shared by two connections (processes),
// parallel requests held to the limit, resend and attempts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { openDb } from '../../portal/store/open.ts';
import { ConsoleGateway } from '../../portal/sms/console.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import {
  issueCode,
  resendCode,
  checkCode,
  type VerificationDeps,
  type SendRequest,
} from '../../portal/verification/verifications.ts';
import { sendBlocked, type SendKeys } from '../../portal/verification/limits.ts';
import type { Db } from '../../portal/store/db.ts';

eachBackend('verification codes and send limits', (backend) => {
  let ctx: TestContext;
  let venue: Venue;
  let deps: VerificationDeps;
  let clock = 1_800_000_000_000;
  let outboxFile: string;
  const sent = () =>
    existsSync(outboxFile)
      ? readFileSync(outboxFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { to: string; text: string })
      : [];

  before(async () => {
    ctx = await testContext({ backend });
    outboxFile = join(ctx.dir, 'unit-outbox.jsonl');
    venue = await createVenue(ctx.db, {
      slug: 'limits',
      name: 'Limits',
      country: 'BG',
      settings: venueSettingsSchema.parse({
        limits: { perMacHour: 4, perIpHour: 6, perNasHour: 8, perCountryHour: 10, venueDaily: 12 },
      }),
    });
    deps = {
      db: ctx.db,
      keys: ctx.keys,
      cipher: ctx.cipher,
      log: ctx.log,
      sms: new ConsoleGateway(outboxFile, ctx.log),
      now: () => clock,
    };
  });
  after(() => ctx?.cleanup());

  let n = 0;
  const keys = (over: Partial<SendKeys> = {}): SendKeys => ({
    venueId: venue.id,
    numberHash: `num-${backend}-${++n}`,
    macHash: `mac-${n}`,
    clientIp: `10.9.${n >> 8}.${n & 255}`,
    nasId: `nas-${n}`,
    callingCode: `9${n}`,
    ...over,
  });
  const req = (k: SendKeys, e164 = '+359881234567'): SendRequest => ({
    keys: k,
    e164,
    settings: venue.settings,
    text: (code, minutes) => `code ${code} for ${minutes} min`,
  });
  const flow = () => `flow-${++n}`;

  it('sends 3 per number in 10 minutes, then says when the oldest leaves the window', async () => {
    const k = keys();
    const t0 = clock;
    for (let i = 0; i < 3; i++) {
      clock = t0 + i * 1000;
      assert.equal((await issueCode(deps, flow(), req({ ...keys(), numberHash: k.numberHash }))).ok, true);
    }
    clock = t0 + 5000;
    const blocked = await issueCode(deps, flow(), req({ ...keys(), numberHash: k.numberHash }));
    assert.deepEqual(blocked, { ok: false, reason: 'blocked', retryAt: t0 + 10 * 60_000 });
    clock = t0 + 10 * 60_000 + 1;
    assert.equal((await issueCode(deps, flow(), req({ ...keys(), numberHash: k.numberHash }))).ok, true);
  });

  it('holds 10 per number per day', async () => {
    clock += 25 * 3_600_000;
    const num = keys().numberHash;
    const t0 = clock;
    for (let i = 0; i < 10; i++) {
      clock = t0 + i * 11 * 60_000;
      assert.equal((await issueCode(deps, flow(), req({ ...keys(), numberHash: num }))).ok, true, `send ${i}`);
    }
    clock += 11 * 60_000;
    const r = await issueCode(deps, flow(), req({ ...keys(), numberHash: num }));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason === 'blocked' && r.retryAt, t0 + 24 * 3_600_000);
  });

  for (const [scope, field, limit] of [
    ['MAC', 'macHash', 4],
    ['client IP', 'clientIp', 6],
    ['NAS', 'nasId', 8],
    ['country', 'callingCode', 10],
  ] as const) {
    it(`holds the per-${scope} limit (${limit} an hour) across different numbers`, async () => {
      clock += 25 * 3_600_000;
      const shared = keys()[field];
      for (let i = 0; i < limit; i++)
        assert.equal((await issueCode(deps, flow(), req({ ...keys(), [field]: shared }))).ok, true);
      const r = await sendBlocked(ctx.db, venue.settings.limits, { ...keys(), [field]: shared }, clock);
      assert.equal(
        r?.scope,
        scope === 'MAC' ? 'mac' : scope === 'client IP' ? 'ip' : scope === 'NAS' ? 'nas' : 'country',
      );
      assert.equal((await issueCode(deps, flow(), req({ ...keys(), [field]: shared }))).ok, false);
    });
  }

  it('holds the venue daily SMS budget', async () => {
    clock += 25 * 3_600_000;
    for (let i = 0; i < 12; i++) assert.equal((await issueCode(deps, flow(), req(keys()))).ok, true);
    const r = await issueCode(deps, flow(), req(keys()));
    assert.equal(!r.ok && r.reason, 'blocked');
  });

  it('counts nothing when the gateway fails, and says so', async () => {
    clock += 25 * 3_600_000;
    writeFileSync(join(ctx.dir, 'a-file'), 'not a directory');
    const broken = { ...deps, sms: new ConsoleGateway(join(ctx.dir, 'a-file', 'outbox.jsonl'), ctx.log) };
    const k = keys();
    for (let i = 0; i < 5; i++)
      assert.deepEqual(await issueCode(broken, flow(), req({ ...keys(), numberHash: k.numberHash })), {
        ok: false,
        reason: 'sms_failed',
      });
    assert.equal(await sendBlocked(ctx.db, venue.settings.limits, k, clock), undefined, 'failed sends do not count');
    const statuses = await ctx.db.all<{ status: string }>(
      'SELECT status FROM verification_sends WHERE number_hash = ?',
      [k.numberHash],
    );
    assert.deepEqual(
      statuses.map((s) => s.status),
      ['failed', 'failed', 'failed', 'failed', 'failed'],
    );
  });

  it('shares the counts with a second connection, as another process would', async () => {
    clock += 25 * 3_600_000;
    const other: Db = await openDb(ctx.config.databaseUrl);
    try {
      const k = keys();
      const deps2 = { ...deps, db: other };
      assert.equal((await issueCode(deps, flow(), req(k))).ok, true);
      assert.equal((await issueCode(deps2, flow(), req({ ...keys(), numberHash: k.numberHash }))).ok, true);
      assert.equal((await issueCode(deps, flow(), req({ ...keys(), numberHash: k.numberHash }))).ok, true);
      const r = await issueCode(deps2, flow(), req({ ...keys(), numberHash: k.numberHash }));
      assert.equal(!r.ok && r.reason, 'blocked');
    } finally {
      await other.close();
    }
  });

  it('lets exactly 3 of 8 parallel requests for one number through', async () => {
    clock += 25 * 3_600_000;
    const num = keys().numberHash;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => issueCode(deps, flow(), req({ ...keys(), numberHash: num }))),
    );
    assert.equal(results.filter((r) => r.ok).length, 3);
  });

  it('resends the same code only after the cooldown; checks count tries and never reset', async () => {
    clock += 25 * 3_600_000;
    const k = keys();
    const first = await issueCode(deps, flow(), req(k, '+359887777777'));
    assert.ok(first.ok);
    const code = /code (\d{6})/.exec(sent().at(-1)!.text)![1];
    assert.deepEqual(await resendCode(deps, first.verificationId, req(k)), {
      ok: false,
      reason: 'too_soon',
      retryAt: clock + 30_000,
    });
    const wrong = code === '000000' ? '111111' : '000000';
    assert.deepEqual(await ctx.db.tx((tx) => checkCode(tx, ctx.keys, first.verificationId, wrong, clock)), {
      ok: false,
      reason: 'wrong',
      remaining: 4,
    });
    clock += 30_000;
    const again = await resendCode(deps, first.verificationId, req(k, '+359887777777'));
    assert.equal(again.ok, true);
    assert.equal(/code (\d{6})/.exec(sent().at(-1)!.text)![1], code, 'the same code');
    assert.deepEqual(await ctx.db.tx((tx) => checkCode(tx, ctx.keys, first.verificationId, wrong, clock)), {
      ok: false,
      reason: 'wrong',
      remaining: 3,
    });
    const ok = await ctx.db.tx((tx) => checkCode(tx, ctx.keys, first.verificationId, code, clock));
    assert.equal(ok.ok, true);
    assert.deepEqual(await ctx.db.tx((tx) => checkCode(tx, ctx.keys, first.verificationId, code, clock)), {
      ok: false,
      reason: 'used',
    });
    const row = await ctx.db.get<{ code_enc: string; code_hmac: string }>(
      'SELECT code_enc, code_hmac FROM verifications WHERE id = ?',
      [first.verificationId],
    );
    assert.ok(!row!.code_enc.includes(code) && !row!.code_hmac.includes(code), 'the code is not stored in clear');
  });

  it('refuses the right code after 5 wrong ones, even in parallel', async () => {
    clock += 25 * 3_600_000;
    const first = await issueCode(deps, flow(), req(keys()));
    assert.ok(first.ok);
    const code = /code (\d{6})/.exec(sent().at(-1)!.text)![1];
    const wrong = code === '000000' ? '111111' : '000000';
    const results = await Promise.all(
      Array.from({ length: 8 }, () => ctx.db.tx((tx) => checkCode(tx, ctx.keys, first.verificationId, wrong, clock))),
    );
    assert.equal(results.filter((r) => !r.ok && r.reason === 'wrong').length, 4);
    assert.deepEqual(await ctx.db.tx((tx) => checkCode(tx, ctx.keys, first.verificationId, code, clock)), {
      ok: false,
      reason: 'too_many',
    });
    assert.deepEqual(await resendCode(deps, first.verificationId, req(keys())), { ok: false, reason: 'too_many' });
  });

  it('refuses a code after its validity', async () => {
    clock += 25 * 3_600_000;
    const first = await issueCode(deps, flow(), req(keys()));
    assert.ok(first.ok);
    const code = /code (\d{6})/.exec(sent().at(-1)!.text)![1];
    assert.match(sent().at(-1)!.text, /for 10 min/);
    clock = first.expiresAt;
    assert.deepEqual(await ctx.db.tx((tx) => checkCode(tx, ctx.keys, first.verificationId, code, clock)), {
      ok: false,
      reason: 'expired',
    });
  });
});
