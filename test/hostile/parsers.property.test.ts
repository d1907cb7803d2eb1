// Property tests for what others send us, short of RADIUS: phone numbers, MAC addresses,
// SMS texts, and (over real HTTP) NAS redirect parameters, guest form bodies and inbound
// SMS webhooks. Whatever arrives, the answer is a value or a 4xx, never an exception or a 500.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseGuestPhone } from '../../portal/verification/phone.ts';
import { normaliseMac } from '../../portal/access/mac-format.ts';
import { classifySms, normalizeSms } from '../../portal/sms/keywords.ts';
import { e164 } from '../../portal/http/sms-webhooks.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { makeVenue, formFields, Browser } from '../guest/helpers.ts';

const text = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.stringMatching(/^[+0-9 ()\-.]{0,24}$/),
);

describe('hostile input: parsers', () => {
  it('phone numbers: a result or a typed refusal; accepted numbers are E.164 and stable', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('BG', 'GB', 'US', 'DE'), (raw, country) => {
        const r = parseGuestPhone(raw, country, []);
        if (r.ok) {
          assert.match(r.e164, /^\+[1-9]\d{6,14}$/);
          const again = parseGuestPhone(r.e164, country, []);
          assert.ok(again.ok && again.e164 === r.e164);
        } else assert.match(r.code, /^guest_phone_/);
      }),
      { numRuns: 20_000 },
    );
  });

  it('MAC addresses: every usual format of the same six bytes is one MAC; anything else is none', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.boolean(), (bytes, upper) => {
        const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
        const want = hex.join(':');
        const c = (s: string) => (upper ? s.toUpperCase() : s);
        for (const form of [
          hex.join(':'),
          hex.join('-'),
          hex.join(''),
          `${hex[0]}${hex[1]}.${hex[2]}${hex[3]}.${hex[4]}${hex[5]}`,
        ]) {
          assert.equal(normaliseMac(c(form)), want);
        }
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const m = normaliseMac(s);
        if (m !== undefined) assert.match(m, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      }),
      { numRuns: 20_000 },
    );
  });

  it('SMS texts and senders: classification never throws and normalising is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        classifySms(s, ['JOIN CAFE']);
        assert.equal(normalizeSms(normalizeSms(s)), normalizeSms(s));
        const n = e164(s);
        if (n !== undefined) assert.match(n, /^\+\d+$/);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('hostile input over HTTP', function () {
  this.timeout(120_000);
  let ctx: TestContext;
  let srv: TestServer;
  before(async () => {
    // The http gateway, so its inbound webhook exists; replies go to a port nobody listens on.
    ctx = await testContext({
      env: {
        SMS_GATEWAY: 'http',
        SMS_HTTP_URL: 'http://127.0.0.1:9/send',
        SMS_HTTP_BODY: '{"to":"{{to}}","text":"{{text}}"}',
        SMS_HTTP_HEADERS: '{"Content-Type":"application/json"}',
        SMS_INBOUND_TOKEN: 'inbound-token-0123456789',
      },
    });
    await makeVenue(ctx);
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  const key = fc.oneof(
    fc.constantFrom(
      'mac',
      'ip',
      'nasid',
      'ssid',
      'url',
      'uamip',
      'uamport',
      'challenge',
      'link-login-only',
      'chap-id',
      'chap-challenge',
      'fas',
      'client_mac',
      'login_url',
      'switch_url',
      'phone',
      'code',
      'csrf',
      'f',
      'consent_terms',
      'consent_sms',
      'name',
      'email',
      'lang',
    ),
    fc.string({ maxLength: 12 }),
  );
  const params = fc.dictionary(
    key,
    fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 })),
    { maxKeys: 8 },
  );

  it('NAS redirect parameters on the entry page: a page or a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(params, async (p) => {
        const res = await fetch(`${srv.url}/p/cafe?${new URLSearchParams(p)}`, { redirect: 'manual' });
        await res.arrayBuffer();
        assert.ok(res.status < 500, `status ${res.status} for ${JSON.stringify(p)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('guest form bodies, with and without a real flow: a page, a redirect or a 4xx', async () => {
    const b = new Browser(srv.url);
    const first = await b.get('/p/cafe');
    const real = formFields(first.html, '/start');
    await fc.assert(
      fc.asyncProperty(
        params,
        fc.boolean(),
        fc.constantFrom('/p/cafe/start', '/p/cafe/code', '/p/cafe/resend'),
        async (p, withFlow, path) => {
          const r = await b.post(path, withFlow ? { ...real, ...p } : p);
          assert.ok(r.status < 500, `status ${r.status} for ${path} ${JSON.stringify(p)}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('inbound SMS webhooks with any JSON or form body: never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          params.map((p) => new URLSearchParams(p).toString()),
        ),
        fc.boolean(),
        async (body, json) => {
          const res = await fetch(`${srv.url}/sms/inbound/http`, {
            method: 'POST',
            headers: {
              'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
              authorization: 'Bearer inbound-token-0123456789',
            },
            body,
          });
          await res.arrayBuffer();
          assert.ok(res.status < 500, `status ${res.status} for ${body}`);
        },
      ),
      { numRuns: 300 },
    );
    await ctx.sms.inbound.idle();
  });
});
