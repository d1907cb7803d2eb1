// What the guest and the logs may learn: a known number looks like a new one, codes and
// full numbers never reach a log line, and a venue's own wording replaces the defaults.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { createLogger } from '../../portal/log.ts';
import { Browser, ENTRY, formFields, lastCode, makeVenue, outbox } from './helpers.ts';

describe('guest disclosure: known numbers, logs, venue wording', function () {
  let ctx: TestContext;
  let srv: TestServer;
  const lines: string[] = [];

  before(async () => {
    ctx = await testContext();
    ctx.log = createLogger(
      'trace',
      new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    await makeVenue(ctx, 'cafe', {
      wording: {
        en: {
          welcome: 'Welcome to the terrace.',
          sms: 'Our weekly menu by SMS, once a week. Reply STOP to end it.',
          smsCode: 'Terrace Wi-Fi code: {{code}} ({{minutes}} min)',
          incentive: 'A free espresso for joining.',
        },
      },
    });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  async function signUp(mac: string, number: string, wrongFirst = false) {
    const b = new Browser(srv.url);
    const first = await b.get(`/p/cafe${ENTRY.replace('EE-01', `EE-${mac}`)}`);
    const r = await b.post('/p/cafe/start', {
      ...formFields(first.html, '/start'),
      phone: number,
      consent_terms: 'yes',
      consent_sms: 'yes',
    });
    const s2 = await b.get(r.location!);
    const code = lastCode(ctx);
    const f2 = formFields(s2.html, '/code');
    if (wrongFirst) await b.post('/p/cafe/code', { ...f2, code: code === '000000' ? '111111' : '000000' });
    const done = await b.post('/p/cafe/code', { ...f2, code });
    return { first, r, s2, code, f2, done };
  }

  it('answers a number seen before exactly as a new one', async () => {
    await signUp('A1', '0888200001');
    const known = await signUp('A2', '0888200001');
    const fresh = await signUp('A3', '0888200002');
    const scrub = (html: string) =>
      html
        .replace(/[0-9a-f-]{36}/g, 'FLOW')
        .replace(/name="csrf" value="[^"]+"/g, 'CSRF')
        .replace(/\+35988\*\*\*\*\d{3}/g, 'NUMBER');
    assert.equal(known.r.status, fresh.r.status);
    assert.equal(scrub(known.s2.html), scrub(fresh.s2.html));
    assert.equal(known.done.status, fresh.done.status);
  });

  it('never logs a code or a full number', async () => {
    lines.length = 0;
    const { code } = await signUp('A4', '0888200003', true);
    const all = lines.join('');
    assert.ok(lines.length > 0, 'the flow did log');
    assert.ok(!all.includes(code), 'the code is not in the logs');
    assert.ok(!all.includes('+359888200003') && !all.includes('0888200003'), 'the number is not in the logs');
  });

  it("uses the venue's own wording on the page and in the code SMS", async () => {
    const { first } = await signUp('A5', '0888200004');
    assert.match(first.html, /Welcome to the terrace\./);
    assert.match(
      first.html,
      /Our weekly menu by SMS, once a week\. Reply STOP to end it\. Message and data rates may apply\./,
    );
    assert.match(first.html, /<span class="incentive">A free espresso for joining\.<\/span>/);
    const codeSms = outbox(ctx).filter((m) => m.to === '+359888200004')[0];
    assert.match(codeSms.text, /^Terrace Wi-Fi code: \d{6} \(10 min\)$/);
  });
});
