// Issue 19.5: the words a guest reads at the worst moment, over real HTTP in both
// languages: a new code is called new, tries left take the locale's plural, the lock-out
// page does not promise a valid code, no double full stop, one confirmation SMS for two
// sign-ups within two minutes, and the confirmation names the incentive opted in for.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { Browser, ENTRY, formFields, lastCode, makeVenue, outbox, waitFor } from './helpers.ts';

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

eachBackend('guest: wording at the worst moment', (backend) => {
  let ctx: TestContext;
  let srv: TestServer;
  let device = 0;
  let clock = Date.now();
  before(async () => {
    ctx = await testContext({ backend });
    ctx.now = () => clock;
    await makeVenue(ctx, 'cafe', {
      wording: { en: { incentive: '10% off your next coffee.' }, bg: { incentive: '10% отстъпка за следващото кафе' } },
      code: { resendSeconds: 10 },
    });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  async function toCode(lang: string, phone: string, extra: Record<string, string> = {}) {
    const b = new Browser(srv.url, { lang });
    const entry = ENTRY.replace('AA-BB-CC-DD-EE-01', `AA-BB-CC-DD-EF-${String(++device).padStart(2, '0')}`);
    const f = formFields((await b.get(`/p/cafe${entry}`)).html, '/start');
    const r = await b.post('/p/cafe/start', { ...f, phone, consent_terms: 'yes', ...extra });
    assert.equal(r.status, 303, text(r.html));
    const page = await b.get(r.location!);
    return { b, page, f2: formFields(page.html, '/code'), code: lastCode(ctx) };
  }
  const wrongOf = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  for (const [lang, one, many, sameAgain, renewed] of [
    [
      'en',
      /That code is not right\. Check the SMS and try again: 1 try left\./,
      /: 2 tries left\./,
      /We sent the same code again/,
      /We sent you a new code: the earlier one no longer works/,
    ],
    [
      'bg',
      /остава 1 опит\./,
      /остават 2 опита\./,
      /Изпратихме същия код отново/,
      /Изпратихме ви нов код: предишният вече не важи/,
    ],
  ] as const) {
    it(`${lang}: plural tries left, "same code" only for the same code, no validity promise once locked out, "new code" after`, async () => {
      const { b, f2, code } = await toCode(lang, lang === 'en' ? '0887100001' : '0887100002');
      const same = await b.post('/p/cafe/resend', { f: f2.f, csrf: f2.csrf });
      assert.equal(same.status, 429, 'too soon first');
      clock += 11_000;
      const again = await b.post('/p/cafe/resend', { f: f2.f, csrf: f2.csrf });
      assert.equal(again.status, 303, text(again.html));
      assert.equal(lastCode(ctx), code, 'the same code was sent again');
      assert.match(text((await b.get(again.location!)).html), sameAgain);

      let r;
      for (let i = 0; i < 3; i++) r = await b.post('/p/cafe/code', { ...f2, code: wrongOf(code) });
      assert.match(text(r!.html), many);
      r = await b.post('/p/cafe/code', { ...f2, code: wrongOf(code) });
      assert.match(text(r.html), one);
      r = await b.post('/p/cafe/code', { ...f2, code: wrongOf(code) });
      assert.equal(r.status, 429);
      const locked = text((await b.get(`/p/cafe/code?f=${f2.f}`)).html);
      assert.doesNotMatch(locked, /valid for|валиден|важи \d/i, 'the lock-out page promises no valid code');

      clock += 11_000;
      const fresh = await b.post('/p/cafe/resend', { f: f2.f, csrf: f2.csrf });
      assert.equal(fresh.status, 303, text(fresh.html));
      assert.notEqual(lastCode(ctx), code);
      const after = text((await b.get(fresh.location!)).html);
      assert.match(after, renewed);
      assert.doesNotMatch(after, sameAgain);
    });
  }

  it('online page in Bulgarian has no double full stop; one confirmation for two sign-ups within two minutes, naming the incentive', async () => {
    const phone = '0887100003';
    const sent = () => outbox(ctx).filter((m) => m.to === '+359887100003' && /STOP/.test(m.text));
    const first = await toCode('bg', phone, { consent_sms: 'yes' });
    const done = await first.b.post('/p/cafe/code', { ...first.f2, code: first.code });
    assert.equal(done.status, 303, text(done.html));
    const online = text((await first.b.get(done.location!)).html);
    assert.match(online, /4 ч\. и 0 мин\./);
    assert.doesNotMatch(online, /\.\./, 'no double full stop');
    const confirm = await waitFor(() => sent()[0]);
    assert.match(confirm.text, /абонирани сте за SMS оферти \(10% отстъпка за следващото кафе\)/);

    const second = await toCode('bg', phone, { consent_sms: 'yes' });
    assert.equal((await second.b.post('/p/cafe/code', { ...second.f2, code: second.code })).status, 303);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(sent().length, 1, 'no second confirmation within two minutes');

    const en = await toCode('en', '0887100004', { consent_sms: 'yes' });
    await en.b.post('/p/cafe/code', { ...en.f2, code: en.code });
    const enConfirm = await waitFor(() => outbox(ctx).find((m) => m.to === '+359887100004' && /STOP/.test(m.text)));
    assert.match(enConfirm.text, /you are subscribed to SMS offers \(10% off your next coffee\), at most 4 a month/);
  });
});
