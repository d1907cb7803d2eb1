import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';

const TO = '+359881234567';

eachBackend('sms: message log and inbound store', (backend) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await testContext({ backend, env: {} });
  });
  afterEach(async () => ctx.cleanup());

  it('records a send, its attempt and receipts, final states staying final', async () => {
    const res = await ctx.sms.send({ to: TO, text: 'code 1', purpose: 'code', venueId: 'v' });
    const row = await ctx.sms.messages.get(res.messageId!);
    assert.equal(row?.status, 'sent');
    assert.equal(row?.attempts, 1);
    assert.equal(row?.parts, 1);
    assert.equal(typeof row?.created_at, 'number');
    assert.equal(await ctx.sms.messages.receipt('console', res.ref, 'undeliverable', '1'), true);
    assert.equal(
      await ctx.sms.messages.receipt('console', res.ref, 'delivered'),
      true,
      'a repeated receipt still matches',
    );
    assert.equal((await ctx.sms.messages.get(res.messageId!))?.status, 'undeliverable');
    assert.equal(await ctx.sms.messages.receipt('console', 'nope', 'delivered'), false);
    assert.deepEqual(await ctx.sms.messages.undeliverableSince(0), [ctx.keys.hmac('number-hash', TO)]);
    assert.equal((await ctx.sms.messages.forNumber(TO)).length, 1);
    const attempts = await ctx.db.all<{ result: string }>('SELECT result FROM sms_attempts WHERE message_id = ?', [
      res.messageId!,
    ]);
    assert.deepEqual(
      attempts.map((a) => a.result),
      ['sent'],
    );
  });

  it('stores an inbound message once and re-claims one whose handler failed', async () => {
    let calls = 0;
    ctx.sms.inbound.setHandler({
      handle: async () => {
        if (++calls === 1) throw new Error('boom');
        return { reply: 'ok' };
      },
    });
    const msg = { from: TO, to: '1234', text: 'STOP', gateway: 'http', ref: 'r-1', receivedAt: Date.now() };
    await assert.rejects(ctx.sms.inbound.receive(msg), /boom/);
    const again = await ctx.sms.inbound.receive(msg);
    assert.equal(again.duplicate, false);
    assert.equal(again.reply, 'ok');
    const third = await ctx.sms.inbound.receive(msg);
    assert.equal(third.duplicate, true);
    await ctx.sms.inbound.idle();
    assert.equal(calls, 2);
    const rows = await ctx.db.all<{ error: string | null; handled_at: unknown; reply_message_id: string | null }>(
      'SELECT error, handled_at, reply_message_id FROM sms_inbound',
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0].error, null);
    assert.ok(rows[0].handled_at);
    assert.ok(rows[0].reply_message_id);
  });
});
