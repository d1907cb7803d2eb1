// An attacker on the same Wi-Fi against the running portal over real HTTP (issue 14
// points 1, 2, 7, 8, 12 and issue 18's floods): what a stranger who knows only a
// victim's MAC address or flow id gets, whether consent can be recorded for a number
// that never returned its code, and what floods of screen 1 leave in the database.
import assert from 'node:assert/strict';
import { statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { eachBackend } from '../support/backends.ts';
import { Browser, formFields, lastCode, makeVenue, outbox } from '../guest/helpers.ts';
import { handBackCredentials } from '../support/hand-back.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { findVenueBySlug, updateVenueSettings } from '../../portal/venues/venues.ts';
import type { SmsGateway } from '../../portal/sms/gateway.ts';
import { csrfToken } from '../../portal/http/csrf.ts';

const enc = encodeURIComponent;
const LOGIN = 'http://10.1.0.1:3990/login';

/** One NAS redirect per vendor, for a given victim MAC (last octet). */
const VENDORS: Record<string, (octet: string) => { entry: string; login: string }> = {
  generic: (o) => ({
    entry: `?mac=02-AA-00-00-00-${o}&ip=10.0.0.5&nas=ap-lobby&ssid=Guest&login_url=${enc(LOGIN)}`,
    login: LOGIN,
  }),
  coovachilli: (o) => ({
    entry: `?res=notyet&uamip=10.1.0.1&uamport=3990&challenge=${randomBytes(16).toString('hex')}&called=00-0D-B9-11-22-33&mac=02-AA-00-00-01-${o}&ip=10.1.0.7&nasid=chilli-1&ssid=Cafe&userurl=${enc('http://example.com/')}`,
    login: 'http://10.1.0.1:3990/',
  }),
  mikrotik: (o) => ({
    entry: `?mac=02:AA:00:00:02:${o}&ip=10.5.50.9&identity=mt1&link-login-only=${enc('http://10.5.50.1/login')}&link-orig=${enc('http://example.com/')}`,
    login: 'http://10.5.50.1/login',
  }),
};

eachBackend('an attacker on the guest Wi-Fi', (backend) => {
  let ctx: TestContext;
  let srv: TestServer;
  let n = 0;
  const number = () => `0887${String(100000 + n++).padStart(6, '0')}`;

  beforeEach(async () => {
    ctx = await testContext({ backend });
    await makeVenue(ctx, 'cafe', {
      limits: {
        perNumber10Min: 3,
        perNumberDay: 10,
        perMacHour: 1000,
        perIpHour: 10000,
        perNasHour: 100000,
        perCountryHour: 100000,
        venueDaily: 100000,
      },
    });
    srv = await serve(ctx);
  });
  afterEach(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  async function start(b: Browser, entry: string, phone: string, extra: Record<string, string> = {}) {
    const first = await b.get(`/p/cafe${entry}`);
    assert.equal(first.status, 200, first.html);
    return b.post('/p/cafe/start', { ...formFields(first.html, '/start'), phone, consent_terms: 'yes', ...extra });
  }

  async function enterCode(b: Browser, codePath: string, code: string) {
    const s2 = await b.get(codePath);
    assert.equal(s2.status, 200, s2.html);
    return b.post('/p/cafe/code', { ...formFields(s2.html, '/code'), code });
  }

  for (const [vendor, redirect] of Object.entries(VENDORS)) {
    it(`a stranger with the victim's MAC gets a fresh screen 1, never the victim's flow (${vendor})`, async () => {
      const { entry, login } = redirect('0' + (n % 10));
      const victim = new Browser(srv.url);
      const started = await start(victim, entry, number());
      assert.equal(started.status, 303, started.html);
      const victimFlow = new URL(started.location!, srv.url).searchParams.get('f')!;
      const sent = outbox(ctx).length;

      // Pending: the victim is on screen 2.
      const stranger = new Browser(srv.url);
      const pending = await stranger.get(`/p/cafe${entry}`);
      assert.equal(pending.status, 200, `a stranger was sent to ${pending.location}`);
      assert.ok(!pending.html.includes(victimFlow), "the fresh screen 1 names nothing of the victim's flow");
      assert.equal(
        (await stranger.get(`/p/cafe/code?f=${victimFlow}`)).status,
        410,
        'the flow id alone opens no screen 2',
      );
      // Even with the flow's CSRF token (which only the victim's pages carry), the flow id opens nothing.
      const csrf = csrfToken(ctx.keys, victimFlow);
      assert.equal(
        (await stranger.post('/p/cafe/resend', { f: victimFlow, csrf })).status,
        410,
        'no resend to the victim',
      );
      assert.equal(
        (await stranger.post('/p/cafe/code', { f: victimFlow, csrf, code: '000000' })).status,
        410,
        'no try burnt',
      );
      assert.equal((await stranger.get(`/p/cafe/start?f=${victimFlow}`)).status, 410, 'no way to change the number');
      assert.equal(outbox(ctx).length, sent, 'no SMS to the victim');
      const tries = await ctx.db.get<{ failures: number }>(
        'SELECT v.failures FROM verifications v JOIN guest_flows f ON f.verification_id = v.id WHERE f.id = ?',
        [victimFlow],
      );
      assert.equal(Number(tries!.failures), 0);

      // Signed up: the hand-back is the victim's alone.
      const done = await enterCode(victim, started.location!, lastCode(ctx));
      assert.ok(handBackCredentials(done, login) || done.status === 303, `${done.status} ${done.html}`);
      const after = await new Browser(srv.url).get(`/p/cafe${entry}`);
      assert.equal(after.status, 200, `a stranger was sent to ${after.location}`);
      assert.equal(handBackCredentials(after, login), undefined);
      const online = await new Browser(srv.url).get(`/p/cafe/online?f=${victimFlow}`);
      assert.equal(handBackCredentials(online, login), undefined, 'the flow id alone fetched the hand-back');
      assert.equal(online.status, 410, online.html);
    });
  }

  it('the same page submitted again without its cookie starts a flow of its own, never continues the first', async () => {
    const page = await new Browser(srv.url).get('/p/cafe?mac=02-AC-00-00-00-01');
    const fields = { ...formFields(page.html, '/start'), consent_terms: 'yes' };
    // A double tap whose first answer (and cookie) the browser dropped, or a copied form.
    const first = new Browser(srv.url);
    const second = new Browser(srv.url);
    const [a, b] = await Promise.all([
      first.post('/p/cafe/start', { ...fields, phone: number() }),
      second.post('/p/cafe/start', { ...fields, phone: number() }),
    ]);
    assert.equal(a.status, 303, a.html);
    assert.equal(b.status, 303, b.html);
    const fa = new URL(a.location!, srv.url).searchParams.get('f');
    const fb = new URL(b.location!, srv.url).searchParams.get('f');
    assert.notEqual(fa, fb);
    assert.equal((await first.get(`/p/cafe/code?f=${fb}`)).status, 410, "one browser never opens the other's flow");
    assert.equal((await second.get(`/p/cafe/code?f=${fa}`)).status, 410);
    assert.equal((await first.get(a.location!)).status, 200);
    assert.equal((await second.get(b.location!)).status, 200);
  });

  it('the single-use hand-back link works once, for a browser without the cookie', async () => {
    const { entry, login } = VENDORS.mikrotik('31');
    const victim = new Browser(srv.url);
    const started = await start(victim, entry, number());
    const done = await enterCode(victim, started.location!, lastCode(ctx));
    const creds = handBackCredentials(done, login)!;
    assert.ok(creds, done.html);
    // The hand-back page links to the online page with a single-use key.
    const link = /href="(\/p\/cafe\/online\?[^"]+)"/.exec(done.html)![1].replace(/&amp;/g, '&');
    assert.match(link, /[?&]k=/);
    const cookieless = new Browser(srv.url, { keepCookies: false });
    assert.deepEqual(handBackCredentials(await cookieless.get(link), login), creds, 'the key hands back once');
    assert.equal((await cookieless.get(link)).status, 410, 'and never again');
    // The guest's own browser still gets it through its cookie.
    assert.deepEqual(handBackCredentials(await victim.get(link), login), creds);
  });

  it('consent is never recorded for a number whose send was refused (number swap)', async () => {
    const attackerNumber = number();
    const victimNumber = number();
    const victimE164 = `+359${victimNumber.slice(1)}`;
    // Any limit will do: the victim's number has had its three codes in ten minutes.
    for (let i = 0; i < 3; i++)
      assert.equal((await start(new Browser(srv.url), `?mac=02-BB-00-00-00-0${i}`, victimNumber)).status, 303);
    const b = new Browser(srv.url);
    const own = await start(b, '?mac=02-BB-00-00-00-10', attackerNumber);
    assert.equal(own.status, 303);
    const code = lastCode(ctx);
    const flow = new URL(own.location!, srv.url).searchParams.get('f')!;
    const again = await b.get(`/p/cafe/start?f=${flow}`);
    assert.equal(again.status, 200, again.html);
    const swap = await b.post('/p/cafe/start', {
      ...formFields(again.html, '/start'),
      phone: victimNumber,
      consent_terms: 'yes',
      consent_sms: 'yes',
    });
    assert.equal(swap.status, 429, swap.html);
    const sentBefore = outbox(ctx).length;
    const done = await enterCode(b, own.location!, code);
    assert.equal(done.status, 303, done.html);
    await new Promise((r) => setTimeout(r, 200));
    await assertNothingFor(victimE164);
    assert.ok(
      !outbox(ctx)
        .slice(sentBefore)
        .some((m) => m.to === victimE164),
      'the victim was texted',
    );
    const events = await ctx.db.all<{ number_hash: string; subject_id: string; purpose: string; decision: string }>(
      `SELECT * FROM consent_events`,
    );
    assert.ok(events.length > 0);
    for (const e of events) assert.equal(e.number_hash, numberHash(ctx.keys, `+359${attackerNumber.slice(1)}`));
    assert.ok(
      events.every((e) => !(e.purpose === 'sms' && e.decision === 'granted')),
      'the SMS box ticked for the victim counts for nobody',
    );
  });

  it('consent is never recorded for a number whose code is still on its way (slow gateway)', async () => {
    const attackerNumber = number();
    const victimNumber = number();
    const victimE164 = `+359${victimNumber.slice(1)}`;
    const b = new Browser(srv.url);
    const own = await start(b, '?mac=02-BB-00-00-00-20', attackerNumber);
    const code = lastCode(ctx);
    const flow = new URL(own.location!, srv.url).searchParams.get('f')!;
    const again = await b.get(`/p/cafe/start?f=${flow}`);
    // The gateway now takes a second and a half to accept each message.
    const real = ctx.sms.send.bind(ctx.sms);
    (ctx.sms as SmsGateway).send = async (msg, opts) => {
      await new Promise((r) => setTimeout(r, 1500));
      return real(msg, opts);
    };
    const swap = b.post('/p/cafe/start', {
      ...formFields(again.html, '/start'),
      phone: victimNumber,
      consent_terms: 'yes',
      consent_sms: 'yes',
    });
    await new Promise((r) => setTimeout(r, 300));
    const done = await enterCode(b, own.location!, code);
    await swap;
    assert.equal(done.status, 303, done.html);
    await assertNothingFor(victimE164);
  });

  async function assertNothingFor(e164: string) {
    const hash = numberHash(ctx.keys, e164);
    assert.equal(
      (await ctx.db.all('SELECT id FROM consent_events WHERE number_hash = ?', [hash])).length,
      0,
      "events carry the victim's number hash",
    );
    assert.equal(
      (await ctx.db.all('SELECT id FROM subjects WHERE number_hash = ?', [hash])).length,
      0,
      'a subject was written for the victim',
    );
  }

  it('refuses a purpose the page version the guest saw never offered', async () => {
    const cafe = (await findVenueBySlug(ctx.db, 'cafe'))!;
    await updateVenueSettings(ctx.db, cafe.id, { ...cafe.settings, offers: { sms: true, email: false } });
    const b = new Browser(srv.url);
    const old = await b.get('/p/cafe?mac=02-CC-00-00-00-01');
    assert.doesNotMatch(old.html, /consent_email/);
    // The venue starts offering email; the guest posts the older page with the box ticked.
    await updateVenueSettings(ctx.db, cafe.id, { ...cafe.settings, offers: { sms: true, email: true } });
    const sent = outbox(ctx).length;
    const r = await b.post('/p/cafe/start', {
      ...formFields(old.html, '/start'),
      phone: number(),
      consent_terms: 'yes',
      consent_email: 'yes',
      email: 'a@example.com',
    });
    assert.equal(r.status, 400, `${r.status} ${r.location}`);
    assert.match(r.html, /did not offer/);
    assert.equal(outbox(ctx).length, sent, 'no code was sent');
    // Without the box, the older page still signs up, and records only what it offered.
    const ok = await b.post('/p/cafe/start', {
      ...formFields(old.html, '/start'),
      phone: number(),
      consent_terms: 'yes',
    });
    assert.equal(ok.status, 303, ok.html);
    assert.equal((await enterCode(b, ok.location!, lastCode(ctx))).status, 303);
    const purposes = await ctx.db.all<{ purpose: string; template_version_id: string }>(
      'SELECT purpose, template_version_id FROM consent_events ORDER BY seq',
    );
    assert.deepEqual(
      purposes.map((p) => p.purpose),
      ['terms', 'sms'],
    );
    assert.equal(purposes[0].template_version_id, formFields(old.html, '/start').v);
  });

  it('a GET loop at screen 1 leaves every table and the database file unchanged', async function () {
    this.timeout(20_000);
    const warm = await new Browser(srv.url).get('/p/cafe?mac=02-DD-00-00-00-01&nas=ap-1');
    assert.equal(warm.status, 200);
    const before = await snapshot();
    const until = Date.now() + 2000;
    let gets = 0;
    const loop = async () => {
      for (let i = 0; Date.now() < until; i++) {
        const r = await fetch(
          `${srv.url}/p/cafe?mac=02-DD-00-00-${String(i % 100).padStart(2, '0')}-02&ip=10.0.0.9&nas=ap-1&url=${enc(`http://example.com/${'x'.repeat(1500)}`)}`,
        );
        assert.equal(r.status, 200);
        await r.arrayBuffer();
        gets++;
      }
    };
    await Promise.all([loop(), loop(), loop(), loop()]);
    assert.ok(gets > 50, `only ${gets} GETs`);
    assert.deepEqual(await snapshot(), before);
  });

  async function snapshot(): Promise<Record<string, number>> {
    const tables =
      backend === 'sqlite'
        ? (
            await ctx.db.all<{ name: string }>(
              `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
            )
          ).map((t) => t.name)
        : (
            await ctx.db.all<{ name: string }>(
              `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
            )
          ).map((t) => t.name);
    const out: Record<string, number> = {};
    for (const t of tables.sort())
      out[t] = Number((await ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))!.n);
    if (backend === 'sqlite') {
      const file = join(ctx.dir, 'foyer.db');
      out['file bytes'] = statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
    }
    return out;
  }

  it('a flood of screen 1 POSTs from one address is stopped with 429 and Retry-After, in Bulgarian', async function () {
    this.timeout(60_000);
    // Flows started per address follow the per-address SMS limit (60 here): the flow limit answers first.
    const cafe = (await findVenueBySlug(ctx.db, 'cafe'))!;
    await updateVenueSettings(ctx.db, cafe.id, {
      ...cafe.settings,
      limits: { ...cafe.settings.limits, perIpHour: 60 },
    });
    const b = new Browser(srv.url, { lang: 'bg' });
    const first = await b.get('/p/cafe?mac=02-EE-00-00-00-01');
    const fields = formFields(first.html, '/start');
    let last = { status: 0, html: '', headers: new Headers() };
    let accepted = 0;
    for (let i = 0; i < 200 && last.status !== 429; i++) {
      // A new page each time (a fresh token), as a script would fetch it.
      const page = await new Browser(srv.url, { lang: 'bg' }).get(
        `/p/cafe?mac=02-EE-00-00-${(i & 255).toString(16).padStart(2, '0')}-01`,
      );
      last = await new Browser(srv.url, { lang: 'bg' }).post('/p/cafe/start', {
        ...formFields(page.html, '/start'),
        phone: number(),
        consent_terms: 'yes',
      });
      if (last.status === 303) accepted++;
    }
    assert.equal(last.status, 429, `after ${accepted} sign-ups started`);
    assert.equal(accepted, 60, 'the limit is 60 flows in ten minutes here');
    assert.ok(Number(last.headers.get('retry-after')) > 0, 'Retry-After');
    assert.match(last.html, /<html lang="bg">/);
    assert.match(
      last.html,
      /Твърде много влизания са започнати от тази връзка\. Моля, опитайте отново след 10 минути\./,
    );
    const flows = Number((await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM guest_flows'))!.n);
    assert.ok(flows <= accepted, `${flows} flows for ${accepted} accepted`);
    assert.ok(fields.csrf);
  });

  it("refuses a changed entry token with 400 and an expired one with 410, in the guest's language, writing nothing", async () => {
    const b = new Browser(srv.url, { lang: 'bg' });
    const page = await b.get('/p/cafe?mac=02-AB-00-00-00-01&nas=ap-lobby');
    const f = formFields(page.html, '/start');
    const [body, sig] = f.t.split('.');
    // The guest's own hand-off, rewritten to another MAC and NAS, keeping the signature.
    const forged = Buffer.from(
      Buffer.from(body, 'base64url').toString('utf8').replace('02:ab:00:00:00:01', '02:ab:00:00:00:99'),
      'utf8',
    ).toString('base64url');
    const before = Number((await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM guest_flows'))!.n);
    const changed = await b.post('/p/cafe/start', {
      ...f,
      t: `${forged}.${sig}`,
      phone: number(),
      consent_terms: 'yes',
    });
    assert.equal(changed.status, 400);
    assert.match(changed.html, /<html lang="bg">/);
    assert.match(changed.html, /Тази страница е променена/);
    const lang = await b.get(`/p/cafe/start?t=${forged}.${sig}&lang=en`);
    assert.equal(lang.status, 400);
    // An hour later the page has expired.
    const real = ctx.now;
    ctx.now = () => real() + 60 * 60_000 + 1;
    try {
      const late = await b.post('/p/cafe/start', { ...f, phone: number(), consent_terms: 'yes' });
      assert.equal(late.status, 410);
      assert.match(late.html, /Времето за вход изтече/);
    } finally {
      ctx.now = real;
    }
    assert.equal(Number((await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM guest_flows'))!.n), before);
    assert.equal(
      (await b.post('/p/cafe/start', { ...f, phone: number(), consent_terms: 'yes' })).status,
      303,
      'the untouched page still works',
    );
  });

  it("marks the NAS redirect's values as reported by the NAS in each event", async () => {
    const b = new Browser(srv.url);
    const started = await start(
      b,
      '?mac=02-FF-00-00-00-01&ip=10.0.0.5&nas=ap-lobby&ap=00:11:22:33:44:55&ssid=Guest',
      number(),
    );
    assert.equal((await enterCode(b, started.location!, lastCode(ctx))).status, 303);
    const events = await ctx.db.all<{ evidence: string; client_mac: string }>(
      'SELECT evidence, client_mac FROM consent_events',
    );
    assert.ok(events.length);
    for (const e of events) {
      const ev = JSON.parse(e.evidence) as { nas_reported?: Record<string, string> };
      assert.deepEqual(ev.nas_reported, {
        client_mac: '02:ff:00:00:00:01',
        client_ip: '10.0.0.5',
        nas_id: 'ap-lobby',
        ap_mac: '00:11:22:33:44:55',
        ssid: 'Guest',
      });
    }
  });
  it('keeps the page the guest first asked for out of the ledger, and still offers it once online', async () => {
    const asked = 'http://news.example/private/story-4711';
    const b = new Browser(srv.url);
    const started = await start(
      b,
      `?mac=02-FF-00-00-00-02&ip=10.0.0.6&nas=ap-lobby&ssid=Guest&url=${enc(asked)}`,
      number(),
    );
    const done = await enterCode(b, started.location!, lastCode(ctx));
    assert.equal(done.status, 303);
    const events = await ctx.db.all<{ evidence: string }>('SELECT evidence FROM consent_events');
    assert.ok(events.length);
    for (const e of events) {
      // The evidence keeps the page's entry token (for the byte-for-byte re-render): it must
      // not carry the guest's browsing, which would then outlive any erasure.
      const token = (JSON.parse(e.evidence) as { entry?: string }).entry ?? '';
      const body = Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8');
      assert.ok(
        !e.evidence.includes('news.example') && !body.includes('news.example'),
        `the ledger holds the page asked for: ${body.slice(0, 300)}`,
      );
    }
    const online = await b.get(done.location!);
    assert.match(
      online.html,
      /href="http:\/\/news\.example\/private\/story-4711"/,
      'the online page still links where the guest was going',
    );
  });
});
