// The guest flow over real HTTP against a real SQLite file: entry, screen 1, the code
// from the console gateway's outbox, screen 2, the one transaction, hand-back, resume.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { loadTemplateVersion } from '../../portal/consent/template-versions.ts';
import { type ConsentContent } from '../../portal/consent/consent-page.ts';
import { Browser, E164, ENTRY, NUMBER, formFields, lastCode, makeVenue, outbox, waitFor } from './helpers.ts';
import { recordReject } from '../../portal/access/reject-reasons.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { createAccessPolicy } from '../../portal/access/policy.ts';
import { papRequest } from '../access/fixtures.ts';

describe('guest flow over HTTP (SQLite)', function () {
  let ctx: TestContext;
  let srv: TestServer;
  let clock = Date.now();

  before(async () => {
    ctx = await testContext();
    ctx.now = () => clock;
    await makeVenue(ctx);
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  async function toScreen2(b: Browser, number = NUMBER, extra: Record<string, string> = {}, entry = ENTRY) {
    const first = await b.get(`/p/cafe${entry}`);
    assert.equal(first.status, 200, first.html);
    const f = formFields(first.html, '/start');
    const r = await b.post('/p/cafe/start', { ...f, phone: number, consent_terms: 'yes', ...extra });
    return { first, f, r };
  }

  it('serves screen 1 from a NAS redirect: unticked boxes, tel input, strict CSP, under 30 KB', async () => {
    const b = new Browser(srv.url);
    const r = await b.get(`/p/cafe${ENTRY}`);
    assert.equal(r.status, 200);
    assert.ok(Buffer.byteLength(r.html) < 30 * 1024, `screen 1 weighs ${Buffer.byteLength(r.html)} bytes`);
    assert.match(r.html, /type="tel" id="phone" name="phone" autocomplete="tel"/);
    assert.equal((r.html.match(/type="checkbox"/g) ?? []).length, 3);
    assert.doesNotMatch(r.html, /checked/);
    assert.doesNotMatch(r.html, /<script|style=/i);
    assert.match(r.html, /Reply STOP/);
    assert.match(r.html, /Message and data rates may apply/);
    const csp = r.headers.get('content-security-policy')!;
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(csp, /style-src 'self'/);
    // Showing screen 1 writes nothing and sets no flow cookie (only the signed page the
    // guest asked for, foyer_dest); the flow and its cookie come with the submit.
    assert.deepEqual([...b.cookies.keys()].sort(), ['foyer_dest', 'foyer_dest.sig']);
    const started = await b.post('/p/cafe/start', {
      ...formFields(r.html, '/start'),
      phone: '0887000099',
      consent_terms: 'yes',
    });
    assert.equal(started.status, 303);
    assert.ok(b.cookies.has('foyer_flow') && b.cookies.has('foyer_flow.sig'), 'signed flow cookie');
  });

  it('refuses a missing terms box and a bad number with 400 and says which field', async () => {
    const b = new Browser(srv.url);
    const first = await b.get(`/p/cafe${ENTRY}`);
    const f = formFields(first.html, '/start');
    const before = outbox(ctx).length;
    const r = await b.post('/p/cafe/start', { ...f, phone: '123' });
    assert.equal(r.status, 400);
    assert.match(r.html, /Tick the box to accept the terms/);
    assert.match(r.html, /does not look like a valid mobile number/);
    assert.match(r.html, /aria-invalid="true"/);
    assert.equal(outbox(ctx).length, before, 'nothing was sent');
  });

  it('sends a code, takes a wrong one, then the right one in one transaction, and hands back', async () => {
    const b = new Browser(srv.url);
    const { first, r } = await toScreen2(b, NUMBER, { consent_sms: 'yes', name: 'Ana' });
    assert.equal(r.status, 303, r.html);
    assert.match(r.location!, /^\/p\/cafe\/code\?f=/);
    const sms = outbox(ctx).at(-1)!;
    assert.equal(sms.to, E164);
    assert.match(sms.text, /^\d{6} is your Wi-Fi code for Café Central\. Valid 10 min\./);
    const code = lastCode(ctx);

    const s2 = await b.get(r.location!);
    assert.equal(s2.status, 200);
    assert.match(s2.html, /autocomplete="one-time-code" inputmode="numeric"/);
    assert.match(s2.html, /\+35988\*\*\*\*567/);
    const f2 = formFields(s2.html, '/code');

    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const bad = await b.post('/p/cafe/code', { ...f2, code: wrong });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /That code is not right.*4 tries left/);

    const ok = await b.post('/p/cafe/code', { ...f2, code: ` ${code.slice(0, 3)} ${code.slice(3)} ` });
    assert.equal(ok.status, 303, ok.html);
    assert.match(ok.location!, new RegExp(`^/p/cafe/online\\?f=${f2.f}&k=[A-Za-z0-9_-]+$`), 'with its single-use key');

    const online = await b.get(ok.location!);
    assert.equal(online.status, 200);
    assert.match(online.html, /You are online/);
    assert.match(online.html, /4 h 0 min/);
    assert.match(online.html, /href="http:\/\/example.com\/news"/);
    assert.match(
      online.html,
      /We will send you one SMS to confirm/,
      'SMS offered and ticked: the confirmation is announced',
    );

    const events = await ctx.db.all<Record<string, string>>('SELECT * FROM consent_events ORDER BY seq');
    assert.deepEqual(
      events.map((e) => `${e.purpose}:${e.decision}`),
      ['terms:granted', 'sms:granted', 'email:declined'],
    );
    for (const e of events) {
      assert.equal(e.template_version_id, f2.v ?? events[0].template_version_id);
      assert.equal(e.locale, 'en');
      assert.match(e.text_hash, /^[0-9a-f]{64}$/);
      assert.equal(e.client_mac, 'aa:bb:cc:dd:ee:01');
      assert.equal(e.client_ip, '127.0.0.1');
      assert.equal(e.nas_id, 'ap-lobby');
      assert.equal(e.ap_mac, '00:11:22:33:44:55');
      assert.equal(e.ssid, 'Guest');
      assert.equal(e.user_agent, 'FoyerTest/1.0');
      assert.ok(e.verification_id);
    }
    assert.equal(new Set(events.map((e) => e.text_hash)).size, 3, 'each purpose has its own text');
    const grant = await ctx.db.get<{ client_mac: string; subject_id: string; nas_id: string }>('SELECT * FROM grants');
    assert.equal(grant!.client_mac, 'aa:bb:cc:dd:ee:01');
    assert.equal(grant!.subject_id, events[0].subject_id);
    assert.equal((await verifyLedger(ctx.db, ctx.keys)).ok, true);

    // The evidence is byte for byte the screen 1 this flow was served.
    const version = await loadTemplateVersion<ConsentContent>(ctx.db, events[0].template_version_id);
    const view = JSON.parse(events[0].evidence);
    assert.equal(ctx.consentPages.renderEvidence(version!.id, version!.content, view.flow, view.entry), first.html);

    // One confirmation SMS after the opt-in, with STOP and HELP.
    const confirm = await waitFor(() => outbox(ctx).find((m) => /Reply STOP/.test(m.text)));
    assert.equal(confirm.to, E164);
    assert.match(confirm.text, /Café Central.*at most 4 messages a month.*HELP/);
    assert.ok(!/\d{6}/.test(confirm.text));

    // A used code cannot be used again; the page says the guest is already done.
    const again = await b.post('/p/cafe/code', { ...f2, code });
    assert.equal(again.status, 303);
    assert.match(again.location!, /\/online\?/);
  });

  it('resumes on screen 2 from the NAS redirect in the same browser, without another SMS; by MAC alone, never', async () => {
    const b = new Browser(srv.url);
    const entry = ENTRY.replace('EE-01', 'EE-02');
    const { r } = await toScreen2(b, '0887000001', {}, entry);
    assert.equal(r.status, 303);
    const sent = outbox(ctx).length;
    const code = lastCode(ctx);

    // A browser without the flow's cookie (another device with this MAC, or a mini-browser
    // that lost it) gets a fresh screen 1: a MAC address is no secret (issue 14 point 1).
    const reopened = new Browser(srv.url);
    const fresh = await reopened.get(`/p/cafe${entry}`);
    assert.equal(fresh.status, 200);
    assert.ok(!fresh.html.includes(new URL(r.location!, srv.url).searchParams.get('f')!));

    const back = await b.get(`/p/cafe${entry}`);
    assert.equal(back.status, 303);
    assert.equal(back.location, r.location);
    const s2 = await b.get(back.location!);
    assert.equal(s2.status, 200);
    const ok = await b.post('/p/cafe/code', { ...formFields(s2.html, '/code'), code });
    assert.equal(ok.status, 303);
    assert.equal(outbox(ctx).length, sent, 'no SMS was sent on resume');
  });

  it('finds the flow by cookie alone when the URL lost it', async () => {
    const b = new Browser(srv.url);
    const { r } = await toScreen2(b, '0887000002', {}, ENTRY.replace('EE-01', 'EE-03'));
    assert.equal(r.status, 303);
    const s2 = await b.get('/p/cafe/code');
    assert.equal(s2.status, 200);
    assert.match(s2.html, /one-time-code/);
    // The NAS redirect without a MAC: the signed cookie alone finds screen 2 again.
    const sent = outbox(ctx).length;
    const again = await b.get('/p/cafe?nas=ap-lobby');
    assert.equal(again.status, 303);
    assert.equal(again.location, r.location);
    assert.equal(outbox(ctx).length, sent);
    const stranger = await new Browser(srv.url, { keepCookies: false }).get('/p/cafe/code');
    assert.equal(stranger.status, 410);
    assert.match(stranger.html, /Your sign-in has expired/);
  });

  it('resends the same code after the cooldown, keeps the failure count, refuses too soon', async () => {
    const b = new Browser(srv.url);
    const { r } = await toScreen2(b, '0887000003', {}, ENTRY.replace('EE-01', 'EE-04'));
    const code = lastCode(ctx);
    const s2 = await b.get(r.location!);
    const f2 = formFields(s2.html, '/code');
    await b.post('/p/cafe/code', { ...f2, code: code === '000000' ? '111111' : '000000' });
    const soon = await b.post('/p/cafe/resend', formFields(s2.html, '/resend'));
    assert.equal(soon.status, 429);
    assert.match(soon.html, /Please wait \d+ seconds before asking for the code again/);
    clock += 31_000;
    const again = await b.post('/p/cafe/resend', formFields(s2.html, '/resend'));
    assert.equal(again.status, 303);
    assert.equal(lastCode(ctx), code, 'the same code');
    const s2b = await b.get(again.location!);
    assert.match(s2b.html, /We sent the same code again/);
    const wrong = await b.post('/p/cafe/code', { ...f2, code: code === '000000' ? '111111' : '000000' });
    assert.match(wrong.html, /3 tries left/, 'failures were not reset');
  });

  it('says a code expired, and locks it after five wrong tries', async () => {
    const b = new Browser(srv.url);
    const { r } = await toScreen2(b, '0887000004', {}, ENTRY.replace('EE-01', 'EE-05'));
    const code = lastCode(ctx);
    const f2 = formFields((await b.get(r.location!)).html, '/code');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) assert.equal((await b.post('/p/cafe/code', { ...f2, code: wrong })).status, 400);
    const fifth = await b.post('/p/cafe/code', { ...f2, code: wrong });
    assert.equal(fifth.status, 429);
    assert.match(fifth.html, /Too many wrong tries/);
    const right = await b.post('/p/cafe/code', { ...f2, code });
    assert.equal(right.status, 429, 'the right code no longer works either');

    const b2 = new Browser(srv.url);
    const { r: r2 } = await toScreen2(b2, '0887000005', {}, ENTRY.replace('EE-01', 'EE-06'));
    const code2 = lastCode(ctx);
    const f3 = formFields((await b2.get(r2.location!)).html, '/code');
    clock += 10 * 60_000 + 1;
    const late = await b2.post('/p/cafe/code', { ...f3, code: code2 });
    assert.equal(late.status, 410);
    assert.match(late.html, /This code has expired/);
  });

  it('blocks a fourth code to one number within 10 minutes and says when to try again', async () => {
    clock += 3_600_000;
    const sent = [];
    for (let i = 0; i < 3; i++)
      sent.push((await toScreen2(new Browser(srv.url), '0887000006', {}, ENTRY.replace('EE-01', `1${i}-07`))).r.status);
    assert.deepEqual(sent, [303, 303, 303]);
    const before = outbox(ctx).length;
    const { r } = await toScreen2(new Browser(srv.url), '0887000006', {}, ENTRY.replace('EE-01', '19-07'));
    assert.equal(r.status, 429);
    assert.match(r.html, /Too many codes have been asked for\. Please try again in 10 minutes/);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.equal(outbox(ctx).length, before);
  });

  it('hands back through a form to a MikroTik login URL, allowed by the CSP', async () => {
    const b = new Browser(srv.url);
    const entry = `?mac=AA:BB:CC:DD:EE:08&ip=10.0.0.8&identity=mt1&link-login-only=${encodeURIComponent('http://10.1.0.1:8080/login')}&link-orig=${encodeURIComponent('http://example.com/')}`;
    const { r } = await toScreen2(b, '0887000008', {}, entry);
    const f2 = formFields((await b.get(r.location!)).html, '/code');
    const done = await b.post('/p/cafe/code', { ...f2, code: lastCode(ctx) });
    assert.equal(done.status, 200);
    assert.match(done.html, /<form method="post" action="http:\/\/10.1.0.1:8080\/login">/);
    assert.match(done.html, /name="username" value="g-[0-9a-f]{12}"/);
    assert.match(done.html, /<button type="submit">Connect to the Wi-Fi<\/button>/);
    assert.match(done.headers.get('content-security-policy')!, /form-action 'self' http:\/\/10.1.0.1:8080;/);
    const ev = await ctx.db.get<{ nas_id: string }>(`SELECT nas_id FROM consent_events ORDER BY seq DESC LIMIT 1`);
    assert.equal(ev!.nas_id, 'mt1');
  });

  it('hands back by a 303 redirect where the vendor logs in by URL', async () => {
    const b = new Browser(srv.url);
    const entry = `${ENTRY.replace('EE-01', 'EE-0A')}&login_url=${encodeURIComponent('http://10.1.0.1:3990/login')}`;
    const { r } = await toScreen2(b, '0887000010', {}, entry);
    const f2 = formFields((await b.get(r.location!)).html, '/code');
    const done = await b.post('/p/cafe/code', { ...f2, code: lastCode(ctx) });
    assert.equal(done.status, 303);
    const to = new URL(done.location!);
    assert.equal(to.origin + to.pathname, 'http://10.1.0.1:3990/login');
    assert.match(to.searchParams.get('username')!, /^g-[0-9a-f]{12}$/);
  });

  it('answers in Bulgarian from Accept-Language, and switches language by link', async () => {
    const b = new Browser(srv.url, { lang: 'bg-BG,bg;q=0.9,en;q=0.5' });
    const first = await b.get(`/p/cafe${ENTRY.replace('EE-01', 'EE-09')}`);
    assert.match(first.html, /<html lang="bg">/);
    assert.match(first.html, /Мобилен номер/);
    const f = formFields(first.html, '/start');
    const bad = await b.post('/p/cafe/start', { ...f, phone: '' });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /Въведете мобилния си номер/);
    const ok = await b.post('/p/cafe/start', { ...f, phone: '0887000009', consent_terms: 'yes' });
    assert.equal(ok.status, 303);
    assert.match(outbox(ctx).at(-1)!.text, /е кодът ви за Wi-Fi в Café Central/);
    const en = await b.get(`/p/cafe/code?f=${f.f}&lang=en`);
    assert.match(en.html, /<html lang="en">/);
    assert.match(en.html, /href="\/p\/cafe\/code\?f=[^"]+&amp;lang=bg"/, 'the switcher is a plain link');
    const stays = await b.get(`/p/cafe/code?f=${f.f}`);
    assert.match(stays.html, /Enter the code we sent you/, 'the choice holds over Accept-Language');
  });

  it('tells a guest the NAS refused why, in their language; not a first-time device, not another venue, not after 30 min', async () => {
    const entry = ENTRY.replace('EE-01', 'EE-21');
    const mac = 'aa:bb:cc:dd:ee:21';
    const b = new Browser(srv.url);
    const { r } = await toScreen2(b, '0887000021', {}, entry);
    const f2 = formFields((await b.get(r.location!)).html, '/code');
    assert.equal((await b.post('/p/cafe/code', { ...f2, code: lastCode(ctx) })).status, 303);
    const cafe = (await ctx.db.get<{ id: string }>("SELECT id FROM venues WHERE slug = 'cafe'"))!.id;
    await ctx.db.run('UPDATE grants SET revoked_at = ? WHERE client_mac = ?', [clock, mac]);
    clock += 1000;
    await recordReject(ctx.db, { venueId: cafe, mac }, 'revoked', clock);

    const back = await new Browser(srv.url).get(`/p/cafe${entry}`);
    assert.equal(back.status, 200);
    assert.match(back.html, /<p class="notice" role="status">Your Wi-Fi access was withdrawn by the venue\.<\/p>/);
    assert.match(back.html, /action="\/p\/cafe\/start"/, 'on screen 1, to sign in again');
    // Still told after switching language on that page.
    const lang = /href="([^"]*lang=bg[^"]*)"/.exec(back.html)?.[1].replace(/&amp;/g, '&');
    assert.ok(lang, 'a link to the page in Bulgarian');
    const switched = await new Browser(srv.url).get(lang!);
    assert.equal(switched.status, 200);
    assert.match(switched.html, /Достъпът ви до Wi-Fi беше отнет от обекта\./);
    const bg = await new Browser(srv.url, { lang: 'bg' }).get(`/p/cafe${entry}`);
    assert.match(bg.html, /Достъпът ви до Wi-Fi беше отнет от обекта\./);

    // A device that never had a grant here: its failed MAC authentication is not news to it.
    const first = ENTRY.replace('EE-01', 'EE-22');
    await recordReject(ctx.db, { venueId: cafe, mac: 'aa:bb:cc:dd:ee:22' }, 'not_remembered', clock);
    assert.doesNotMatch((await new Browser(srv.url).get(`/p/cafe${first}`)).html, /class="notice"/);
    // Refused since at another venue: not this venue's business.
    await recordReject(ctx.db, { venueId: 'another-venue', mac }, 'data_used_up', clock);
    assert.doesNotMatch((await new Browser(srv.url).get(`/p/cafe${entry}`)).html, /class="notice"/);
    // Refused here, but longer ago than brought the guest back now.
    await recordReject(ctx.db, { venueId: cafe, mac }, 'revoked', clock);
    clock += 31 * 60_000;
    assert.doesNotMatch((await new Browser(srv.url).get(`/p/cafe${entry}`)).html, /class="notice"/);
  });

  it('lets a device the NAS refused by MAC back in by MAC as soon as it signs up again', async () => {
    const entry = ENTRY.replace('EE-01', 'EE-23');
    const mac = 'aa:bb:cc:dd:ee:23';
    const signUp = async () => {
      const b = new Browser(srv.url);
      const { r } = await toScreen2(b, '0887000023', {}, entry);
      const f2 = formFields((await b.get(r.location!)).html, '/code');
      assert.equal((await b.post('/p/cafe/code', { ...f2, code: lastCode(ctx) })).status, 303);
    };
    await signUp();
    const cafe = (await ctx.db.get<{ id: string }>("SELECT id FROM venues WHERE slug = 'cafe'"))!.id;
    const nas = await addNas(ctx.db, ctx.cipher, {
      name: 'cafe-ap-23',
      address: '127.0.0.23',
      secret: 'flow-secret-23',
      vendor: 'generic',
      venueId: cafe,
    });
    // The RADIUS path with its grant cache and no change feed: only this process's word clears it.
    const policy = createAccessPolicy({
      db: ctx.db,
      cipher: ctx.cipher,
      log: ctx.log,
      now: ctx.now,
      grantCacheMs: 60_000,
    });
    try {
      const byMac = async () => (await policy.authorize(papRequest(nas, mac, mac, { callingStationId: mac }))).result;
      await ctx.db.run('UPDATE grants SET revoked_at = ? WHERE client_mac = ?', [clock, mac]);
      assert.equal(await byMac(), 'reject', 'its grant here was revoked');
      clock += 1000;
      await signUp();
      assert.equal(await byMac(), 'accept', 'the new grant, not the revoked one the cache held');
    } finally {
      policy.close();
    }
  });

  it('refuses a form without its CSRF token, in the guest language', async () => {
    const b = new Browser(srv.url, { lang: 'bg' });
    const f = formFields((await b.get(`/p/cafe${ENTRY}`)).html, '/start');
    const r = await b.post('/p/cafe/start', { f: f.f, v: f.v, phone: NUMBER, consent_terms: 'yes' });
    assert.equal(r.status, 403);
    assert.match(r.html, /Формата е изтекла/);
  });

  it('answers an unknown venue, a bad redirect and an oversized body with clear 4xx pages', async () => {
    const b = new Browser(srv.url);
    const missing = await b.get('/p/nowhere');
    assert.equal(missing.status, 404);
    assert.match(missing.html, /could not find this Wi-Fi network/);
    const badMac = await b.get('/p/cafe?mac=not-a-mac');
    assert.equal(badMac.status, 400);
    assert.match(badMac.html, /connect again/);
    const big = await b.post('/p/cafe/start', { f: 'x', phone: 'x'.repeat(40_000) });
    assert.equal(big.status, 413);
  });

  it('serves terms and privacy from the version shown, and the stylesheet with caching', async () => {
    const b = new Browser(srv.url);
    const first = await b.get(`/p/cafe${ENTRY}`);
    const v = formFields(first.html, '/start').v;
    const terms = await b.get(`/p/cafe/terms?v=${v}`);
    assert.equal(terms.status, 200);
    assert.match(terms.html, /Wi-Fi terms of use/);
    const privacy = await b.get(`/p/cafe/privacy?v=${v}`);
    assert.match(privacy.html, /Controller: Café Central \(privacy@cafe.example\)/);
    assert.equal((await b.get(`/p/cafe/terms?v=${'0'.repeat(64)}`)).status, 404);
    const href = /href="(\/p\/static\/guest\.css\?v=[^"]+)"/.exec(first.html)![1];
    const css = await fetch(srv.url + href);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('cache-control')!, /max-age=31536000/);
    const again = await fetch(srv.url + href, { headers: { 'if-none-match': css.headers.get('etag')! } });
    assert.equal(again.status, 304);
  });
});
