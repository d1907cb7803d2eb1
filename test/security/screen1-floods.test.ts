// A script on the guest network against screen 1 while issue 18 makes it fast (cached
// pages, batched writes): many submissions fired at once from one address or for one
// number are held to the limits exactly as one at a time are; an entry token from one
// venue is no good at another; and seconds of every request a stranger can make without
// submitting a valid screen 1 (every GET under /p, and refused POSTs) write nothing.
// (test/security/guest-takeover.test.ts has the sequential flood, the changed and expired
// tokens and a GET loop; test/bench/flood.bench.ts runs a full minute of GETs with wrk.)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { eachBackend } from '../support/backends.ts';
import { dbSnapshot } from '../support/db-snapshot.ts';
import { Browser, formFields, makeVenue, outbox } from '../guest/helpers.ts';

const SECONDS = Number(process.env.SCREEN1_FLOOD_SECONDS ?? 4);
// The per-address flow limit or the SMS limit, whichever answers first.
const TOO_MANY_BG = /Твърде много влизания са започнати|Поискани са твърде много кодове/;

eachBackend('screen 1 under a script on the guest network', (backend) => {
  let ctx: TestContext;
  let srv: TestServer;

  beforeEach(async () => {
    ctx = await testContext({ backend });
    // Default limits (3 codes a number in ten minutes) but 60 an address an hour, which is
    // also the per-address bound on flows started.
    await makeVenue(ctx, 'cafe', { limits: { perIpHour: 60 } });
    await makeVenue(ctx, 'bar');
    srv = await serve(ctx);
  });
  afterEach(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  const count = async (table: string) =>
    Number((await ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);
  const page = async (slug: string, i: number, lang = 'bg') => {
    const r = await new Browser(srv.url, { lang }).get(
      `/p/${slug}?mac=02-F1-00-00-${((i >> 8) & 255).toString(16).padStart(2, '0')}-${(i & 255).toString(16).padStart(2, '0')}&nas=ap-1`,
    );
    assert.equal(r.status, 200, r.html.slice(0, 300));
    return formFields(r.html, '/start');
  };

  it('100 submissions at once from one address: 60 flows and 60 codes, the rest 429 with Retry-After, in Bulgarian', async function () {
    this.timeout(60_000);
    const pages = await Promise.all(Array.from({ length: 100 }, (_, i) => page('cafe', i)));
    const answers = await Promise.all(
      pages.map((f, i) =>
        new Browser(srv.url, { lang: 'bg' }).post('/p/cafe/start', {
          ...f,
          phone: `0887${String(400000 + i)}`,
          consent_terms: 'yes',
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    assert.deepEqual(
      [...new Set(statuses)].sort(),
      [303, 429],
      `only sign-ups started and 429s: ${JSON.stringify(statuses)}`,
    );
    const accepted = statuses.filter((s) => s === 303).length;
    assert.equal(accepted, 60, 'the limit is 60 a address (flows started, codes sent)');
    for (const a of answers.filter((x) => x.status === 429)) {
      assert.ok(Number(a.headers.get('retry-after')) > 0, 'Retry-After');
      assert.match(a.html, /<html lang="bg">/);
      assert.match(a.html, TOO_MANY_BG);
    }
    assert.equal(await count('guest_flows'), 60, 'one flow per sign-up started, none for a refused one');
    assert.equal(outbox(ctx).length, 60, 'one code per sign-up started');
  });

  it('12 submissions at once for one number: 3 codes (its ten-minute limit), the rest 429 with Retry-After', async function () {
    this.timeout(30_000);
    const pages = await Promise.all(Array.from({ length: 12 }, (_, i) => page('cafe', 200 + i)));
    const answers = await Promise.all(
      pages.map((f) =>
        new Browser(srv.url, { lang: 'bg' }).post('/p/cafe/start', { ...f, phone: '0887499999', consent_terms: 'yes' }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 303).length, 3, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 9, JSON.stringify(statuses));
    for (const a of answers.filter((x) => x.status === 429)) {
      assert.ok(Number(a.headers.get('retry-after')) > 0, 'Retry-After');
      assert.match(a.html, /<html lang="bg">/);
    }
    assert.equal(outbox(ctx).filter((m) => m.to === '+359887499999').length, 3);
    assert.equal(await count('guest_flows'), 3);
  });

  it("refuses venue A's page at venue B with 400 in the guest's language, writing nothing", async () => {
    const f = await page('cafe', 300);
    const before = await count('guest_flows');
    const b = new Browser(srv.url, { lang: 'bg' });
    const posted = await b.post('/p/bar/start', { ...f, phone: '0887500001', consent_terms: 'yes' });
    assert.equal(posted.status, 400, posted.html.slice(0, 300));
    assert.match(posted.html, /<html lang="bg">/);
    assert.match(posted.html, /Тази страница е променена/);
    const shown = await b.get(`/p/bar/start?t=${encodeURIComponent(f.t)}`);
    assert.equal(shown.status, 400, shown.html.slice(0, 300));
    assert.match(shown.html, /Тази страница е променена/);
    assert.equal(await count('guest_flows'), before);
    assert.equal(outbox(ctx).length, 0, 'no code sent');
    // The same page at its own venue is good.
    assert.equal(
      (await b.post('/p/cafe/start', { ...f, phone: '0887500001', consent_terms: 'yes' })).status,
      303,
      'the page works at its own venue',
    );
  });

  it("refuses a changed or expired token in a link (screen 1 shown again) with a 4xx in the guest's language, writing nothing", async () => {
    const f = await page('cafe', 310);
    const b = new Browser(srv.url, { lang: 'bg' });
    const [body, sig] = f.t.split('.');
    const other = Buffer.from(
      Buffer.from(body, 'base64url').toString('utf8').replace('02:f1:00:00:01:36', '02:f1:00:00:01:37'),
    ).toString('base64url');
    assert.notEqual(other, body, 'the MAC was rewritten');
    for (const t of [`${other}.${sig}`, `${body}.${sig.slice(0, -3)}AAA`, `${body}`, `${body}.${sig}.x`]) {
      const r = await b.get(`/p/cafe/start?t=${encodeURIComponent(t)}`);
      assert.equal(r.status, 400, `${t.slice(-20)}: ${r.html.slice(0, 200)}`);
      assert.match(r.html, /<html lang="bg">/);
      assert.match(r.html, /Тази страница е променена/);
      assert.doesNotMatch(r.html, new RegExp(f.csrf), 'no page (and no CSRF token) for a changed token');
    }
    assert.equal((await b.get(`/p/cafe/start?t=${encodeURIComponent(f.t)}`)).status, 200, 'the real token is good');
    const real = ctx.now;
    ctx.now = () => real() + 60 * 60_000 + 1;
    try {
      const late = await b.get(`/p/cafe/start?t=${encodeURIComponent(f.t)}`);
      assert.equal(late.status, 410, late.html.slice(0, 200));
      assert.match(late.html, /Времето за вход изтече/);
      assert.doesNotMatch(late.html, /name="csrf"/, 'an expired page is not shown again');
    } finally {
      ctx.now = real;
    }
    assert.equal(await count('guest_flows'), 0);
  });

  it(`${SECONDS} s of every request a stranger can make without a valid submission leaves the database unchanged`, async function () {
    this.timeout(60_000 + SECONDS * 2000);
    const f = await page('cafe', 400, 'en');
    const legal = /href="(\/p\/cafe\/terms\?[^"]+)"/
      .exec((await new Browser(srv.url).get('/p/cafe?mac=02-F1-00-00-01-90')).html)![1]
      .replace(/&amp;/g, '&');
    // Each language's page version is stored the first time it is shown (once per version,
    // not per request), so both are shown before the count is taken.
    for (const lang of ['en', 'bg'])
      for (const path of ['/p/cafe', '/p/cafe/privacy', '/p/static/guest.css', '/p/cafe/theme.css', legal])
        await (await fetch(srv.url + path, { headers: { 'accept-language': lang } })).arrayBuffer();
    const sqliteFile = backend === 'sqlite' ? join(ctx.dir, 'foyer.db') : undefined;
    const before = await dbSnapshot(ctx.db, sqliteFile);
    const enc = encodeURIComponent;
    const requests: Array<(i: number) => Promise<Response>> = [
      (i) =>
        fetch(`${srv.url}/p/cafe?mac=02-F1-00-01-00-${(i & 255).toString(16).padStart(2, '0')}&ip=10.0.0.9&nas=ap-1`),
      (i) =>
        fetch(`${srv.url}/p/cafe?mac=02-F1-00-01-01-01&lang=${i % 2 ? 'bg' : 'en'}&url=${enc('http://example.com/')}`),
      () => fetch(`${srv.url}/p/cafe/start?t=${enc(f.t)}&lang=bg`),
      () => fetch(`${srv.url}/p/cafe/start?t=${enc(f.t.slice(0, -2))}xx`),
      () => fetch(`${srv.url}/p/cafe/start`),
      () => fetch(`${srv.url}${legal}`),
      () => fetch(`${srv.url}/p/cafe/privacy`),
      () => fetch(`${srv.url}/p/cafe/code?f=${randomUUID()}`),
      () => fetch(`${srv.url}/p/cafe/online?f=${randomUUID()}`),
      () => fetch(`${srv.url}/p/cafe/captive-api`),
      () => fetch(`${srv.url}/p/cafe/theme.css`),
      () => fetch(`${srv.url}/p/static/guest.css`),
      () => fetch(`${srv.url}/p/nowhere?mac=02-F1-00-00-00-01`),
      // Refused submissions: no CSRF token, another page's CSRF token, no terms, a changed token.
      () => post({ ...f, csrf: '', phone: '0887600001', consent_terms: 'yes' }),
      (i) => post({ ...f, csrf: f.csrf.slice(0, -1) + (i % 2 ? 'A' : 'B'), phone: '0887600001', consent_terms: 'yes' }),
      () => post({ ...f, phone: '0887600001' }),
      () => post({ ...f, t: f.t.replace(/\.[^.]+$/, '.AAAA'), phone: '0887600001', consent_terms: 'yes' }),
      () => post({ ...f, phone: 'not a number', consent_terms: 'yes' }),
    ];
    const post = (fields: Record<string, string>) =>
      fetch(`${srv.url}/p/cafe/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    const until = Date.now() + SECONDS * 1000;
    const statuses = new Map<number, number>();
    let sent = 0;
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = w; Date.now() < until; i += 4) {
          const r = await requests[i % requests.length](i);
          await r.arrayBuffer();
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          sent++;
        }
      }),
    );
    assert.ok(sent > requests.length * 4, `only ${sent} requests`);
    assert.ok(![...statuses.keys()].some((s) => s >= 500), `no 5xx: ${JSON.stringify([...statuses])}`);
    for (const s of [200, 400, 403, 404])
      assert.ok(statuses.get(s), `some answered ${s}: ${JSON.stringify([...statuses])}`);
    assert.deepEqual(await dbSnapshot(ctx.db, sqliteFile), before, `after ${sent} requests`);
    assert.equal(outbox(ctx).length, 0, 'no code sent');
  });
});
