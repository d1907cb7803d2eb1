// Issue 7 end to end: keywords in both alphabets through each inbound gateway change the
// ledger and the clean list, and the reply goes back the gateway's way.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { httpPeer, smppPeer, type HttpPeer, type SmppPeer } from '../sms/peers.ts';
import { createVenue, updateVenueSettings, type Venue } from '../../portal/venues/venues.ts';
import { exportActiveSms } from '../../portal/consent/lists.ts';
import { twilioSignature } from '../../portal/sms/twilio-signature.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';

const A = '+359881111111';
const B = '+359882222222';

async function activeNumbers(ctx: TestContext, venue: Venue): Promise<string[]> {
  let s = '';
  for await (const c of exportActiveSms(ctx.db, ctx.cipher, venue.id, 'json')) s += c;
  return JSON.parse(s)
    .map((r: { subject_number: string }) => r.subject_number)
    .sort();
}

async function lastEvent(ctx: TestContext) {
  return ctx.db.get<{ decision: string; channel: string; evidence: string; venue_id: string }>(
    'SELECT decision, channel, evidence, venue_id FROM consent_events ORDER BY seq DESC LIMIT 1',
  );
}

describe('keywords through the http gateway', () => {
  let ctx: TestContext;
  let srv: TestServer;
  let peer: HttpPeer;
  let cafe: Venue;
  beforeEach(async () => {
    peer = await httpPeer(() => ({ status: 200, body: `{"id":"out-${Math.random().toString(36).slice(2)}"}` }));
    ctx = await testContext({
      env: {
        SMS_GATEWAY: 'http',
        SMS_HTTP_URL: `${peer.url}/send`,
        SMS_HTTP_BODY: '{"to":"{{to}}","text":"{{text}}"}',
        SMS_HTTP_HEADERS: '{"Content-Type":"application/json"}',
        SMS_HTTP_ID: 'id',
        SMS_INBOUND_TOKEN: 'inbound-token-0123456789',
      },
    });
    srv = await serve(ctx);
    cafe = await createVenue(ctx.db, { slug: 'cafe', name: 'Café Central', country: 'BG' });
    await signUp(ctx, cafe.id, A, { terms: 'granted', sms: 'granted' });
    await signUp(ctx, cafe.id, B, { terms: 'granted', sms: 'granted' });
  });
  afterEach(async () => {
    await srv.close();
    await peer.close();
    await ctx.cleanup();
  });

  const inbound = async (from: string, text: string, id: string) => {
    const res = await fetch(`${srv.url}/sms/inbound/http`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer inbound-token-0123456789' },
      body: JSON.stringify({ from, to: '1234', text, id }),
    });
    assert.equal(res.status, 200);
    await ctx.sms.inbound.idle();
  };

  it('STOP (Latin) and СТОП (Cyrillic) withdraw, confirm, and leave the clean list; START brings one back', async () => {
    assert.deepEqual(await activeNumbers(ctx, cafe), [A, B]);
    await inbound(A, 'Stop', 'm1');
    assert.deepEqual(await activeNumbers(ctx, cafe), [B]);
    assert.deepEqual(await lastEvent(ctx), {
      decision: 'withdrawn',
      channel: 'sms-keyword',
      evidence: 'Stop',
      venue_id: cafe.id,
    });
    await inbound(B, 'СТОП', 'm2');
    assert.deepEqual(await activeNumbers(ctx, cafe), []);
    const replies = peer.requests.map((r) => JSON.parse(r.body));
    assert.equal(replies.length, 2);
    assert.equal(replies[0].to, A);
    assert.match(replies[0].text, /Café Central: .*no more SMS offers/);

    await inbound(A, 'start', 'm3');
    assert.deepEqual(await activeNumbers(ctx, cafe), [A]);
    await inbound(A, 'start', 'm3'); // the gateway retries its webhook: answered once
    assert.equal(peer.requests.length, 3);
    assert.equal((await verifyLedger(ctx.db, ctx.keys)).ok, true);
  });

  it('opts in by the venue keyword and answers HELP / ПОМОЩ', async () => {
    await updateVenueSettings(ctx.db, cafe.id, {
      ...cafe.settings,
      smsKeyword: 'JOIN CAFE',
      contact: '+359 2 123 456',
    });
    await inbound('+359883333333', 'Join Cafe', 'k1');
    assert.deepEqual(await activeNumbers(ctx, cafe), [A, B, '+359883333333']);
    const ev = await lastEvent(ctx);
    assert.equal(ev!.decision, 'granted');
    assert.equal(ev!.channel, 'sms-keyword');
    await inbound(A, 'ПОМОЩ', 'k2');
    const help = JSON.parse(peer.requests.at(-1)!.body);
    assert.match(help.text, /Café Central.*STOP.*\+359 2 123 456/);
  });
});

describe('keywords through Twilio webhooks', () => {
  const SID = 'AC' + '0'.repeat(32);
  const TOKEN = 'twilio-auth-token-0123456789abcdef';
  let ctx: TestContext;
  let srv: TestServer;
  let cafe: Venue;
  beforeEach(async () => {
    ctx = await testContext({
      env: {
        SMS_GATEWAY: 'twilio',
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_FROM: '+15005550006',
        TWILIO_API_BASE: 'http://127.0.0.1:9',
      },
    });
    srv = await serve(ctx);
    cafe = await createVenue(ctx.db, { slug: 'cafe', name: 'Café Central', country: 'BG' });
    await signUp(ctx, cafe.id, A, { sms: 'granted' });
  });
  afterEach(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  const post = (params: Record<string, string>, signature?: string) => {
    const url = `${srv.url}/sms/inbound/twilio`;
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature ?? twilioSignature(TOKEN, url, params),
      },
      body: new URLSearchParams(params).toString(),
    });
  };

  it('refuses a wrong signature and changes nothing', async () => {
    const res = await post(
      { From: A, To: '+15005550006', Body: 'STOP', MessageSid: 'SM1', AccountSid: SID },
      'bm90LXRoZS1zaWduYXR1cmU=',
    );
    assert.equal(res.status, 403);
    assert.deepEqual(await activeNumbers(ctx, cafe), [A]);
  });

  it('withdraws on a signed ОТПИШИ and answers with TwiML', async () => {
    const res = await post({ From: A, To: '+15005550006', Body: 'Отпиши!', MessageSid: 'SM2', AccountSid: SID });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /xml/);
    assert.match(await res.text(), /<Message>Café Central: .*no more SMS offers/);
    assert.deepEqual(await activeNumbers(ctx, cafe), []);
  });
});

describe('keywords through SMPP deliver_sm', () => {
  let ctx: TestContext;
  let peer: SmppPeer;
  let cafe: Venue;
  before(async () => {
    peer = await smppPeer({ systemId: 'foyer', password: 'secret1' });
    ctx = await testContext({
      env: {
        SMS_GATEWAY: 'smpp',
        SMS_SMPP_URL: peer.url,
        SMS_SMPP_BIND: 'transceiver',
        SMS_FROM: 'FoyerWiFi',
        SMS_TIMEOUT_MS: '2000',
      },
    });
    cafe = await createVenue(ctx.db, { slug: 'cafe', name: 'Café Central', country: 'BG' });
    await signUp(ctx, cafe.id, A, { sms: 'granted' });
    await signUp(ctx, cafe.id, B, { sms: 'granted' });
    await ctx.sms.send({ to: '+359880000000', text: 'bind', purpose: 'test' });
  });
  after(async () => {
    await ctx.sms.close?.();
    await peer.close();
    await ctx.cleanup();
  });

  it('withdraws on СТОП and STOP from the SMSC and replies by submit_sm', async () => {
    assert.equal(
      (
        await peer.deliver({
          source_addr: A.slice(1),
          source_addr_ton: 1,
          destination_addr: '1234',
          esm_class: 0,
          short_message: 'Стоп',
        })
      ).command_status,
      0,
    );
    await ctx.sms.inbound.idle();
    assert.equal(
      (
        await peer.deliver({
          source_addr: B.slice(1),
          source_addr_ton: 1,
          destination_addr: '1234',
          esm_class: 0,
          short_message: 'STOP',
        })
      ).command_status,
      0,
    );
    await ctx.sms.inbound.idle();
    assert.deepEqual(await activeNumbers(ctx, cafe), []);
    const replies = peer.submits.slice(1);
    assert.equal(replies.length, 2);
    assert.equal(replies[0].destination_addr, A.slice(1));
    assert.match(String(replies[0].short_message.message), /Café Central/);
  });
});
