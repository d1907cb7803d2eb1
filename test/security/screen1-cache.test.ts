// Issue 18 renders screen 1 once per page version and locale and puts in only what is
// each request's own: the entry token, the CSRF token, the refusal notice. Another guest
// on the same Wi-Fi loading the same venue's page at the same moment must never get any
// of them, and a page must never mix two languages: each page, wherever it names a token
// (form, language link, terms and privacy links), names its own, for its own device, in
// its own language; its CSRF token works with its own page only.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { eachBackend } from '../support/backends.ts';
import { Browser, formFields, lastCode, makeVenue } from '../guest/helpers.ts';
import { recordReject } from '../../portal/access/reject-reasons.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';

const NOTICE = {
  en: 'Your Wi-Fi access was withdrawn by the venue.',
  bg: 'Достъпът ви до Wi-Fi беше отнет от обекта.',
};
const PHONE_LABEL = { en: /Mobile number/, bg: /Мобилен номер/ };

interface Page {
  mac: string;
  lang: 'en' | 'bg';
  html: string;
  fields: Record<string, string>;
}

/** The entry token's own words: [flow id, venue, version, locale, issued at, hand-off]. */
function tokenBody(t: string): [string, string, string, string, number, { clientMac?: string }] {
  return JSON.parse(Buffer.from(t.split('.')[0], 'base64url').toString('utf8'));
}

eachBackend("screen 1 rendered from a cache keeps each guest's values its own", (backend) => {
  let ctx: TestContext;
  let srv: TestServer;
  let cafe: Venue;

  beforeEach(async () => {
    ctx = await testContext({ backend });
    cafe = await makeVenue(ctx, 'cafe');
    srv = await serve(ctx);
  });
  afterEach(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  const mac = (i: number) => `02:cc:00:00:00:${i.toString(16).padStart(2, '0')}`;
  const get = async (m: string, lang: 'en' | 'bg'): Promise<Page> => {
    const r = await new Browser(srv.url, { lang }).get(`/p/cafe?mac=${m.replace(/:/g, '-')}&ip=10.0.0.9&nas=ap-1`);
    assert.equal(r.status, 200, r.html.slice(0, 300));
    return { mac: m, lang, html: r.html, fields: formFields(r.html, '/start') };
  };

  function assertOwn(p: Page) {
    const { f, t, csrf, v } = p.fields;
    assert.ok(f && t && csrf && v, 'the form carries f, t, csrf and v');
    const [id, venueId, versionId, locale, , handoff] = tokenBody(t);
    assert.equal(id, f, 'the token names the flow id of its own form');
    assert.equal(venueId, cafe.id);
    assert.equal(versionId, v, 'the token names the version its own form shows');
    assert.equal(locale, p.lang, `the ${p.lang} page's token is for ${p.lang}`);
    assert.equal(handoff.clientMac, p.mac, "the token carries this device's hand-off, not another's");
    // Every link that carries a token (language switch, terms, privacy) carries this one.
    const inLinks = [...p.html.matchAll(/[?&](?:amp;)?t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g)].map((m) => m[1]);
    assert.ok(inLinks.length >= 2, 'the language and legal links carry the token');
    for (const other of inLinks) assert.equal(other, t, 'a link names the same token as the form');
    assert.match(p.html, new RegExp(`<html lang="${p.lang}">`));
    assert.match(p.html, PHONE_LABEL[p.lang]);
    assert.doesNotMatch(p.html, PHONE_LABEL[p.lang === 'en' ? 'bg' : 'en'], 'one language per page');
  }

  it('40 pages at once, two languages, ten devices: each token, CSRF token and flow id is its own', async function () {
    this.timeout(30_000);
    const warm = await get(mac(0), 'en'); // the cache is filled before the race
    assertOwn(warm);
    const pages = await Promise.all(
      Array.from({ length: 40 }, (_, i) => get(mac(1 + (i % 10)), i % 4 < 2 ? 'en' : 'bg')),
    );
    for (const p of pages) assertOwn(p);
    for (const k of ['f', 't', 'csrf'] as const) {
      assert.equal(new Set([warm, ...pages].map((p) => p.fields[k])).size, 41, `every page has its own ${k}`);
    }
    // Same version within a language, never across.
    const versions = (lang: string) => new Set(pages.filter((p) => p.lang === lang).map((p) => p.fields.v));
    assert.equal(versions('en').size, 1);
    assert.equal(versions('bg').size, 1);
    assert.notDeepEqual([...versions('en')], [...versions('bg')]);

    // A page's CSRF token is good with its own page only: with another's it is refused and writes nothing.
    const [a, b] = [pages[0], pages[1]];
    const crossed = await new Browser(srv.url).post('/p/cafe/start', {
      ...b.fields,
      csrf: a.fields.csrf,
      phone: '0887300001',
      consent_terms: 'yes',
    });
    assert.equal(crossed.status, 403, crossed.html.slice(0, 300));
    assert.equal(Number((await ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM guest_flows'))!.n), 0);
    const own = await new Browser(srv.url).post('/p/cafe/start', {
      ...b.fields,
      phone: '0887300001',
      consent_terms: 'yes',
    });
    assert.equal(own.status, 303, own.html.slice(0, 300));

    // A page sent back with a problem (terms box left unticked) shows the number its guest typed, never another's.
    const typed = pages.slice(2, 12).map((p, i) => ({ p, phone: `08873001${String(10 + i)}` }));
    const answers = await Promise.all(
      typed.map(({ p, phone }) =>
        new Browser(srv.url, { lang: p.lang }).post('/p/cafe/start', { ...p.fields, phone, name: `Guest ${phone}` }),
      ),
    );
    answers.forEach((r, i) => {
      assert.equal(r.status, 400, r.html.slice(0, 300));
      assert.match(r.html, new RegExp(`<html lang="${typed[i].p.lang}">`));
      const shown = [...r.html.matchAll(/08873001\d\d/g)].map((m) => m[0]);
      assert.ok(shown.length > 0, 'the typed number is shown again');
      assert.deepEqual([...new Set(shown)], [typed[i].phone], "only this guest's own number");
      assert.equal(formFields(r.html, '/start').f, typed[i].p.fields.f, 'the same page (flow id) comes back');
    });
  });

  it("two venues' pages fetched at once never carry each other's name, wording, version or token", async function () {
    this.timeout(30_000);
    const bar = await createVenue(ctx.db, {
      slug: 'bar',
      name: 'Bar Nord',
      country: 'BG',
      settings: venueSettingsSchema.parse({ contact: 'privacy@bar.example', offers: { sms: false, email: false } }),
    });
    const venues = [
      { slug: 'cafe', venue: cafe, name: 'Café Central', other: /Bar Nord|privacy@bar\.example/ },
      { slug: 'bar', venue: bar, name: 'Bar Nord', other: /Café Central|privacy@cafe\.example/ },
    ];
    const pages = await Promise.all(
      Array.from({ length: 32 }, async (_, i) => {
        const v = venues[i % 2];
        const lang = i % 4 < 2 ? 'en' : 'bg';
        const r = await new Browser(srv.url, { lang }).get(
          `/p/${v.slug}?mac=02-CD-00-00-00-${String(i).padStart(2, '0')}`,
        );
        assert.equal(r.status, 200, r.html.slice(0, 300));
        return { v, lang, html: r.html, fields: formFields(r.html, `/p/${v.slug}/start`) };
      }),
    );
    const versions = new Map<string, Set<string>>();
    for (const p of pages) {
      assert.ok(p.html.includes(p.v.name), `the ${p.v.slug} page names its venue`);
      assert.doesNotMatch(p.html, p.v.other, `the ${p.v.slug} page names nothing of the other venue`);
      const [id, venueId, versionId, locale] = tokenBody(p.fields.t);
      assert.deepEqual([id, venueId, versionId, locale], [p.fields.f, p.v.venue.id, p.fields.v, p.lang]);
      const key = `${p.v.slug}/${p.lang}`;
      versions.set(key, (versions.get(key) ?? new Set()).add(p.fields.v));
    }
    assert.equal(versions.size, 4);
    assert.ok(
      [...versions.values()].every((s) => s.size === 1),
      'one version per venue and language',
    );
    assert.equal(new Set([...versions.values()].flatMap((s) => [...s])).size, 4, 'and four different ones');
    assert.doesNotMatch(pages[1].html, /consent_sms/, 'the bar offers no SMS box, whatever the café offers');
    assert.match(pages[0].html, /consent_sms/);
  });

  it("a refused device's notice is on its own pages only, in each page's language, and from the moment it was refused", async function () {
    this.timeout(30_000);
    // A device that signed up here, then was refused by the NAS (its grant withdrawn).
    const refused = mac(0x21);
    const before = await get(refused, 'en');
    assert.doesNotMatch(before.html, /class="notice"/, 'no notice before the refusal');
    const b = new Browser(srv.url);
    const started = await b.post('/p/cafe/start', { ...before.fields, phone: '0887300021', consent_terms: 'yes' });
    assert.equal(started.status, 303, started.html.slice(0, 300));
    const code = await b.get(started.location!);
    const done = await b.post('/p/cafe/code', { ...formFields(code.html, '/code'), code: lastCode(ctx) });
    assert.equal(done.status, 303, done.html.slice(0, 300));
    const again = await get(refused, 'en');
    assert.doesNotMatch(again.html, /class="notice"/, 'no notice before the refusal');
    await recordReject(ctx.db, { venueId: cafe.id, mac: refused }, 'revoked', ctx.now());
    const pages = await Promise.all(
      Array.from({ length: 24 }, (_, i) => get(i % 2 ? refused : mac(0x30 + i), i % 4 < 2 ? 'en' : 'bg')),
    );
    for (const p of pages) {
      assertOwn(p);
      const notices = [...p.html.matchAll(/<p class="notice"[^>]*>([^<]*)<\/p>/g)].map((m) => m[1]);
      if (p.mac === refused) assert.deepEqual(notices, [NOTICE[p.lang]], `the refused device's ${p.lang} page`);
      else assert.deepEqual(notices, [], `another device's page (${p.mac}, ${p.lang}) shows no notice`);
    }
    // And the page re-rendered from a token (the language link) keeps to its own device.
    const other = pages.find((p) => p.mac !== refused)!;
    const link = /href="(\/p\/cafe\/start\?t=[^"]+)"/.exec(other.html)![1].replace(/&amp;/g, '&');
    const switched = await new Browser(srv.url).get(link);
    assert.equal(switched.status, 200);
    assert.doesNotMatch(switched.html, /class="notice"/);
  });
});
