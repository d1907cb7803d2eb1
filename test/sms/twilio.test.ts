import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { SmsError } from '../../portal/sms/index.ts';
import type { InboundSms } from '../../portal/sms/inbound.ts';
import { twilioSignature } from '../../portal/sms/twilio-signature.ts';
import { httpPeer, type HttpPeer, type RecordedRequest, type Answer } from './peers.ts';

const SID = 'AC' + 'c'.repeat(32);
const TOKEN = 'twilio-auth-token-0123456789abcdef';
const FROM = '+15005550006';
const TO = '+359881234567';
const sid = (p = 'SM') => p + randomBytes(16).toString('hex');

// Answers as api.twilio.com does: 201 and the Message resource, or the error JSON.
function twilioApi(fail?: (n: number) => { status: number; code: number; message: string } | undefined) {
  return (req: RecordedRequest, n: number): Answer => {
    const auth = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    if (auth !== `${SID}:${TOKEN}`) {
      return {
        status: 401,
        body: JSON.stringify({
          code: 20003,
          message: 'Authenticate',
          more_info: 'https://www.twilio.com/docs/errors/20003',
          status: 401,
        }),
      };
    }
    if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${SID}/Messages.json`)
      return {
        status: 404,
        body: JSON.stringify({
          code: 20404,
          message: 'The requested resource was not found',
          more_info: 'https://www.twilio.com/docs/errors/20404',
          status: 404,
        }),
      };
    const f = fail?.(n);
    if (f)
      return {
        status: f.status,
        body: JSON.stringify({
          code: f.code,
          message: f.message,
          more_info: `https://www.twilio.com/docs/errors/${f.code}`,
          status: f.status,
        }),
      };
    const form = new URLSearchParams(req.body);
    const now = new Date().toUTCString().replace('GMT', '+0000');
    const s = sid();
    return {
      status: 201,
      body: JSON.stringify({
        account_sid: SID,
        api_version: '2010-04-01',
        body: form.get('Body'),
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: form.get('From'),
        messaging_service_sid: form.get('MessagingServiceSid'),
        num_media: '0',
        num_segments: '1',
        price: null,
        price_unit: 'USD',
        sid: s,
        status: 'queued',
        to: form.get('To'),
        uri: `/2010-04-01/Accounts/${SID}/Messages/${s}.json`,
        subresource_uris: { media: `/2010-04-01/Accounts/${SID}/Messages/${s}/Media.json` },
      }),
    };
  };
}

describe('sms: twilio gateway, webhooks and status callbacks', () => {
  let ctx: TestContext;
  let api: HttpPeer;
  let srv: TestServer | undefined;
  afterEach(async () => {
    await srv?.close();
    await api?.close();
    await ctx?.cleanup();
    srv = undefined;
  });

  const setup = async (fail?: Parameters<typeof twilioApi>[0], extra: Record<string, string> = {}) => {
    api = await httpPeer(twilioApi(fail));
    ctx = await testContext({
      env: {
        SMS_GATEWAY: 'twilio',
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_FROM: FROM,
        TWILIO_API_BASE: api.url,
        ...extra,
      },
    });
  };

  const post = async (path: string, params: Record<string, string>, signature?: string) => {
    const url = `${srv!.url}${path}`;
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature ?? twilioSignature(TOKEN, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
  };

  it('computes the signature of the documented example', () => {
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    };
    assert.equal(
      twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params),
      '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
    );
  });

  it('sends with Basic auth and form fields, and keeps the message SID', async () => {
    await setup(undefined, { PUBLIC_URL: 'https://wifi.example' });
    const res = await ctx.sms.send({ to: TO, text: 'Код: 123456', purpose: 'code' });
    assert.match(res.ref, /^SM[0-9a-f]{32}$/);
    const form = new URLSearchParams(api.requests[0].body);
    assert.equal(api.requests[0].headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(form.get('To'), TO);
    assert.equal(form.get('From'), FROM);
    assert.equal(form.get('Body'), 'Код: 123456');
    assert.equal(form.get('StatusCallback'), 'https://wifi.example/sms/status/twilio');
    const row = await ctx.sms.messages.get(res.messageId!);
    assert.equal(row?.gateway_ref, res.ref);
    assert.equal(row?.status, 'sent');
  });

  it('uses MessagingServiceSid instead of From when configured', async () => {
    const mg = 'MG' + 'd'.repeat(32);
    await setup(undefined, { TWILIO_FROM: '', TWILIO_MESSAGING_SERVICE_SID: mg });
    await ctx.sms.send({ to: TO, text: 'x', purpose: 'code' });
    const form = new URLSearchParams(api.requests[0].body);
    assert.equal(form.get('MessagingServiceSid'), mg);
    assert.equal(form.get('From'), null);
  });

  it('reports Twilio error 21211 without retrying', async () => {
    await setup(() => ({
      status: 400,
      code: 21211,
      message: "The 'To' number 5551234567 is not a valid phone number.",
    }));
    await assert.rejects(
      ctx.sms.send({ to: TO, text: 'x', purpose: 'code' }),
      (e: unknown) => e instanceof SmsError && !e.transient && /21211/.test(e.message),
    );
    assert.equal(api.requests.length, 1);
    const [row] = await ctx.sms.messages.forNumber(TO);
    assert.equal(row.status, 'failed');
  });

  it('retries 429 and 5xx', async () => {
    await setup((n) =>
      n === 1
        ? { status: 429, code: 20429, message: 'Too Many Requests' }
        : n === 2
          ? { status: 500, code: 20500, message: 'Internal Server Error' }
          : undefined,
    );
    const res = await ctx.sms.send({ to: TO, text: 'x', purpose: 'code' });
    assert.equal(api.requests.length, 3);
    assert.match(res.ref, /^SM/);
  });

  it('answers a signed inbound webhook once, with the reply as TwiML', async () => {
    await setup();
    const seen: InboundSms[] = [];
    ctx.sms.inbound.setHandler({
      handle: async (m) => (seen.push(m), { reply: 'You will get no more offers. <Cafe & Co>' }),
    });
    srv = await serve(ctx);
    const params = {
      MessageSid: sid(),
      SmsSid: '',
      AccountSid: SID,
      From: TO,
      To: FROM,
      Body: 'СТОП',
      NumMedia: '0',
      NumSegments: '1',
    };
    const first = await post('/sms/inbound/twilio', params);
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type')!, /^text\/xml/);
    assert.equal(
      await first.text(),
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>You will get no more offers. &lt;Cafe &amp; Co&gt;</Message></Response>',
    );
    assert.equal(seen.length, 1);
    assert.equal(seen[0].from, TO);
    assert.equal(seen[0].text, 'СТОП');
    assert.equal(seen[0].gateway, 'twilio');
    assert.equal(seen[0].ref, params.MessageSid);

    const again = await post('/sms/inbound/twilio', params);
    assert.equal(again.status, 200);
    assert.equal(await again.text(), '<?xml version="1.0" encoding="UTF-8"?><Response/>');
    assert.equal(seen.length, 1, 'a retried webhook is not handled twice');

    const stored = await ctx.db.all<Record<string, unknown>>('SELECT * FROM sms_inbound');
    assert.equal(stored.length, 1);
    assert.equal(stored[0].from_masked, '+35988****567');
    assert.equal(stored[0].from_hash, ctx.keys.hmac('number-hash', TO));
    assert.equal(stored[0].text, 'СТОП');
    assert.ok(stored[0].handled_at);
    const reply = await ctx.sms.messages.get(String(stored[0].reply_message_id));
    assert.equal(reply?.purpose, 'reply');
    assert.equal(api.requests.length, 0, 'a TwiML reply is not also sent through the API');
  });

  it('refuses a webhook with a wrong or missing signature, storing nothing', async () => {
    await setup();
    let calls = 0;
    ctx.sms.inbound.setHandler({ handle: async () => void calls++ });
    srv = await serve(ctx);
    const params = { MessageSid: sid(), From: TO, To: FROM, Body: 'STOP' };
    const forged = await post(
      '/sms/inbound/twilio',
      params,
      twilioSignature('not-the-token-at-all-000000', `${srv.url}/sms/inbound/twilio`, params),
    );
    assert.equal(forged.status, 403);
    const tampered = await post(
      '/sms/inbound/twilio',
      { ...params, Body: 'START' },
      twilioSignature(TOKEN, `${srv.url}/sms/inbound/twilio`, params),
    );
    assert.equal(tampered.status, 403);
    const none = await fetch(`${srv.url}/sms/inbound/twilio`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    assert.equal(none.status, 403);
    assert.equal(calls, 0);
    assert.equal((await ctx.db.all('SELECT id FROM sms_inbound')).length, 0);
  });

  it('handles a webhook again when the handler failed the first time', async () => {
    await setup();
    let calls = 0;
    ctx.sms.inbound.setHandler({
      handle: async () => {
        if (++calls === 1) throw new Error('ledger busy');
        return { reply: 'ok' };
      },
    });
    srv = await serve(ctx);
    const params = { MessageSid: sid(), From: TO, To: FROM, Body: 'HELP' };
    assert.equal((await post('/sms/inbound/twilio', params)).status, 500);
    const retry = await post('/sms/inbound/twilio', params);
    assert.equal(retry.status, 200);
    assert.match(await retry.text(), /<Message>ok<\/Message>/);
    assert.equal(calls, 2);
  });

  it('applies signed status callbacks: delivered, undeliverable (30005) and failed (30007)', async () => {
    await setup();
    srv = await serve(ctx);
    const a = await ctx.sms.send({ to: TO, text: 'a', purpose: 'confirmation' });
    const b = await ctx.sms.send({ to: '+359887777777', text: 'b', purpose: 'confirmation' });
    const c = await ctx.sms.send({ to: '+359886666666', text: 'c', purpose: 'confirmation' });
    const cb = (ref: string, status: string, code?: string) => ({
      MessageSid: ref,
      SmsSid: ref,
      AccountSid: SID,
      From: FROM,
      To: TO,
      MessageStatus: status,
      SmsStatus: status,
      ApiVersion: '2010-04-01',
      ...(code ? { ErrorCode: code } : {}),
    });
    assert.equal((await post('/sms/status/twilio', cb(a.ref, 'sent'))).status, 204);
    assert.equal((await ctx.sms.messages.get(a.messageId!))?.status, 'sent');
    assert.equal((await post('/sms/status/twilio', cb(a.ref, 'delivered'))).status, 204);
    assert.equal((await post('/sms/status/twilio', cb(b.ref, 'undelivered', '30005'))).status, 204);
    assert.equal((await post('/sms/status/twilio', cb(c.ref, 'failed', '30007'))).status, 204);
    assert.equal((await ctx.sms.messages.get(a.messageId!))?.status, 'delivered');
    const bRow = await ctx.sms.messages.get(b.messageId!);
    assert.equal(bRow?.status, 'undeliverable');
    assert.equal(bRow?.error_code, '30005');
    assert.equal((await ctx.sms.messages.get(c.messageId!))?.status, 'failed');
    // A late "undelivered" does not undo a delivery.
    await post('/sms/status/twilio', cb(a.ref, 'undelivered', '30003'));
    assert.equal((await ctx.sms.messages.get(a.messageId!))?.status, 'delivered');
    const forged = await post('/sms/status/twilio', cb(c.ref, 'delivered'), 'AAAA');
    assert.equal(forged.status, 403);
    assert.equal((await ctx.sms.messages.get(c.messageId!))?.status, 'failed');
  });
});
