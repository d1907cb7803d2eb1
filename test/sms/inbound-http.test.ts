import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import type { InboundSms } from '../../portal/sms/inbound.ts';
import { httpPeer, type HttpPeer } from './peers.ts';
import { e164 } from '../../portal/http/sms-webhooks.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { exportActiveSms } from '../../portal/consent/lists.ts';
import { INBOUND_REPLIES_PER_HOUR } from '../../portal/sms/inbound.ts';
import { eachBackend } from '../support/backends.ts';

const TOKEN = 'inbound-token-0123456789';

describe('sms: the http gateway inbound and status callbacks', () => {
  let ctx: TestContext;
  let srv: TestServer;
  let peer: HttpPeer | undefined;
  afterEach(async () => {
    await srv?.close();
    await peer?.close();
    await ctx?.cleanup();
    peer = undefined;
  });

  const AUTH = { authorization: `Bearer ${TOKEN}` };
  /** The http gateway with the token set; SMS_INBOUND_TOKEN: 'none' leaves it unset. */
  const setup = async (env: Record<string, string> = {}) => {
    peer = await httpPeer(() => ({ status: 200, body: `{"id":"out-${Math.random().toString(36).slice(2)}"}` }));
    ctx = await testContext({
      env: {
        SMS_GATEWAY: 'http',
        SMS_HTTP_URL: `${peer.url}/send`,
        SMS_HTTP_BODY: '{"to":"{{to}}","text":"{{text}}"}',
        SMS_HTTP_HEADERS: '{"Content-Type":"application/json"}',
        SMS_HTTP_ID: 'id',
        ...(env.SMS_INBOUND_TOKEN === 'none' ? {} : { SMS_INBOUND_TOKEN: TOKEN }),
        ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== 'none')),
      },
    });
    srv = await serve(ctx);
  };

  it('takes a JSON body, stores it once, and sends the reply through the gateway', async () => {
    await setup();
    const seen: InboundSms[] = [];
    ctx.sms.inbound.setHandler({
      handle: async (m) => (seen.push(m), { reply: 'HELP: Cafe Lipa Wi-Fi. Reply STOP to opt out.', purpose: 'help' }),
    });
    const send = () =>
      fetch(`${srv.url}/sms/inbound/http`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH },
        body: JSON.stringify({ from: '359881234567', to: '1234', text: 'help', id: 'in-1' }),
      });
    const res = await send();
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, duplicate: false });
    await ctx.sms.inbound.idle();
    assert.equal(seen.length, 1);
    assert.equal(seen[0].from, '+359881234567');
    assert.equal(seen[0].ref, 'in-1');
    assert.equal(peer!.requests.length, 1);
    assert.deepEqual(JSON.parse(peer!.requests[0].body), {
      to: '+359881234567',
      text: 'HELP: Cafe Lipa Wi-Fi. Reply STOP to opt out.',
    });
    const dup = await send();
    assert.deepEqual(await dup.json(), { ok: true, duplicate: true });
    await ctx.sms.inbound.idle();
    assert.equal(seen.length, 1);
    assert.equal(peer!.requests.length, 1, 'a duplicate is not answered again');
  });

  it('takes a form body with configured field names', async () => {
    await setup({ SMS_INBOUND_FIELDS: 'from=msisdn,to=shortcode,text=message,id=messageId' });
    const seen: InboundSms[] = [];
    ctx.sms.inbound.setHandler({ handle: async (m) => void seen.push(m) });
    const res = await fetch(`${srv.url}/sms/inbound/http`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...AUTH },
      body: new URLSearchParams({
        msisdn: '+359 88 123 4567',
        shortcode: '1234',
        message: 'ОТПИШИ',
        messageId: 'f-1',
      }).toString(),
    });
    assert.equal(res.status, 200);
    assert.equal(seen[0].from, '+359881234567');
    assert.equal(seen[0].to, '1234');
    assert.equal(seen[0].text, 'ОТПИШИ');
    assert.equal(peer!.requests.length, 0, 'no reply, nothing sent');
  });

  it('answers bad input with a 400 in the caller’s language', async () => {
    await setup();
    const res = await fetch(`${srv.url}/sms/inbound/http`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'accept-language': 'bg', ...AUTH },
      body: JSON.stringify({ from: 'abc', text: 'x' }),
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error.code, 'sms_inbound_invalid');
    assert.match(body.error.message, /международен формат/);
    const big = await fetch(`${srv.url}/sms/inbound/http`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify({ from: '+359881234567', text: 'x'.repeat(100_000) }),
    });
    assert.equal(big.status, 413);
    assert.equal((await ctx.db.all('SELECT id FROM sms_inbound')).length, 0);
  });

  it('requires SMS_INBOUND_TOKEN when set (bearer or ?token=)', async () => {
    await setup();
    const body = JSON.stringify({ from: '+359881234567', text: 'STOP', id: 't-1' });
    const headers = { 'content-type': 'application/json' };
    assert.equal((await fetch(`${srv.url}/sms/inbound/http`, { method: 'POST', headers, body })).status, 403);
    assert.equal(
      (await fetch(`${srv.url}/sms/inbound/http?token=wrong-token-0123456789`, { method: 'POST', headers, body }))
        .status,
      403,
    );
    assert.equal(
      (await fetch(`${srv.url}/sms/inbound/http?token=${TOKEN}`, { method: 'POST', headers, body })).status,
      200,
    );
    assert.equal(
      (
        await fetch(`${srv.url}/sms/status/http`, {
          method: 'POST',
          headers: { ...headers, authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ id: 'x', status: 'delivered' }),
        })
      ).status,
      200,
    );
  });

  it('refuses the http callbacks in production without a token', async () => {
    await setup({ NODE_ENV: 'production', SMS_INBOUND_TOKEN: 'none' });
    const res = await fetch(`${srv.url}/sms/inbound/http`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ from: '+359881234567', text: 'STOP' }),
    });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, 'sms_token_missing');
  });

  it('applies the http gateway’s delivery reports to the message log', async () => {
    await setup({ SMS_STATUS_FIELDS: 'ref=msgid,status=state,error=code' });
    const a = await ctx.sms.send({ to: '+359881234567', text: 'a', purpose: 'code' });
    const b = await ctx.sms.send({ to: '+359887777777', text: 'b', purpose: 'code' });
    const report = (msgid: string, state: string, code = '') =>
      fetch(`${srv.url}/sms/status/http`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...AUTH },
        body: new URLSearchParams({ msgid, state, code }).toString(),
      }).then((r) => r.json());
    assert.deepEqual(await report(a.ref, 'DELIVRD'), { ok: true, matched: true });
    assert.deepEqual(await report(b.ref, 'invalid_number', '1'), { ok: true, matched: true });
    assert.deepEqual(await report('unknown-id', 'delivered'), { ok: true, matched: false });
    assert.equal((await ctx.sms.messages.get(a.messageId!))?.status, 'delivered');
    assert.equal((await ctx.sms.messages.get(b.messageId!))?.status, 'undeliverable');
  });

  // What anyone who can reach the portal tries: a STOP in a guest's name, with no token.
  it('refuses a forged STOP without the token (403) whatever NODE_ENV, and nothing reaches the ledger', async () => {
    for (const env of [
      { NODE_ENV: 'development', SMS_INBOUND_TOKEN: 'none' },
      { NODE_ENV: 'test', SMS_INBOUND_TOKEN: 'none' },
      { NODE_ENV: 'development' },
    ] as Record<string, string>[]) {
      await setup(env);
      const venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
      await signUp(ctx, venue.id, '+359881234567', { terms: 'granted', sms: 'granted' });
      const events = (await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM consent_events'))!.n;
      const res = await fetch(`${srv.url}/sms/inbound/http`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ from: '+359881234567', to: '1234', text: 'STOP', id: 'forged-1' }),
      });
      await ctx.sms.inbound.idle();
      assert.ok(res.status === 401 || res.status === 403, `${JSON.stringify(env)}: status ${res.status}`);
      assert.equal(
        (await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM consent_events'))!.n,
        events,
        `${JSON.stringify(env)}: the ledger changed`,
      );
      assert.equal((await ctx.db.all('SELECT id FROM sms_inbound')).length, 0);
      let list = '';
      for await (const c of exportActiveSms(ctx.db, ctx.cipher, venue.id, 'json')) list += c;
      assert.equal(JSON.parse(list).length, 1, 'still on the clean list');
      assert.equal(peer!.requests.length, 0, 'no reply sent');
      await srv.close();
      await peer!.close();
      await ctx.cleanup();
      peer = undefined;
    }
    srv = undefined as unknown as TestServer;
    ctx = undefined as unknown as TestContext;
  });

  it('does not exist unless SMS_GATEWAY=http, even with the token', async () => {
    ctx = await testContext({ env: { SMS_GATEWAY: 'console', SMS_INBOUND_TOKEN: TOKEN } });
    srv = await serve(ctx);
    for (const path of ['/sms/inbound/http', '/sms/status/http']) {
      const res = await fetch(`${srv.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ from: '+359881234567', text: 'HELP', id: 'x-1', status: 'delivered' }),
      });
      assert.equal(res.status, 404, path);
    }
    assert.equal((await ctx.db.all('SELECT id FROM sms_inbound')).length, 0);
  });

  it('reads numbers in international format only', () => {
    assert.equal(e164('+359 88 123-4567'), '+359881234567');
    assert.equal(e164('00359881234567'), '+359881234567');
    assert.equal(e164('0881234567'), undefined);
    assert.equal(e164('CAFE'), undefined);
  });
});

// The reply limit is counted under a per-sender lock: parallel HELPs on PostgreSQL (many
// connections) must not all find the count below the limit.
eachBackend('sms: replies to inbound keywords are limited per number', (backend) => {
  let ctx: TestContext;
  let srv: TestServer;
  let peer: HttpPeer;
  const AUTH = { authorization: `Bearer ${TOKEN}` };
  before(async () => {
    peer = await httpPeer(() => ({ status: 200, body: `{"id":"out-${Math.random().toString(36).slice(2)}"}` }));
    ctx = await testContext({
      backend,
      env: {
        SMS_GATEWAY: 'http',
        SMS_HTTP_URL: `${peer.url}/send`,
        SMS_HTTP_BODY: '{"to":"{{to}}","text":"{{text}}"}',
        SMS_HTTP_HEADERS: '{"Content-Type":"application/json"}',
        SMS_HTTP_ID: 'id',
        SMS_INBOUND_TOKEN: TOKEN,
      },
    });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv?.close();
    await peer?.close();
    await ctx?.cleanup();
  });

  it('answers at most a few keywords per number an hour: a flood of HELPs does not make Foyer send without limit', async () => {
    await createVenue(ctx.db, { slug: 'cafe', name: 'Café', country: 'BG' });
    const help = (from: string, id: string) =>
      fetch(`${srv.url}/sms/inbound/http`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH },
        body: JSON.stringify({ from, to: '1234', text: 'HELP', id }),
      });
    const flood = await Promise.all(Array.from({ length: 30 }, (_, i) => help('+359881234567', `h-${i}`)));
    assert.ok(
      flood.every((r) => r.status === 200),
      'every message is taken (the gateway must not retry)',
    );
    await ctx.sms.inbound.idle();
    const to = (n: string) => peer!.requests.filter((r) => JSON.parse(r.body).to === n).length;
    assert.ok(to('+359881234567') >= 1, 'the first HELP is answered');
    assert.ok(
      to('+359881234567') <= INBOUND_REPLIES_PER_HOUR,
      `${to('+359881234567')} replies to one number, at most ${INBOUND_REPLIES_PER_HOUR} may go`,
    );
    assert.equal((await ctx.db.all('SELECT id FROM sms_inbound')).length, 30, 'all are stored');
    // Another number is answered as usual, and the first again once the hour has passed.
    await help('+359887654321', 'other-1');
    await ctx.sms.inbound.idle();
    assert.equal(to('+359887654321'), 1);
    const sent = to('+359881234567');
    ctx.now = () => Date.now() + 61 * 60_000;
    await help('+359881234567', 'later-1');
    await ctx.sms.inbound.idle();
    assert.equal(to('+359881234567'), sent + 1);
  });
});
