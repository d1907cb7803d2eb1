// The consent screen as a template version: registered once, complete enough to render
// again, the fast path identical to a full render, texts hashed per purpose and locale.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { loadTemplateVersion } from '../../portal/consent/template-versions.ts';
import { VERSIONED_TEMPLATES, type ConsentContent } from '../../portal/consent/consent-page.ts';
import { csrfToken } from '../../portal/http/csrf.ts';
import { updateVenueSettings } from '../../portal/venues/venues.ts';
import { makeVenue } from './helpers.ts';
import { translate } from '../../portal/http/i18n.ts';
import { sha256 } from '../../portal/consent/event.ts';

describe('guest consent page versions', () => {
  let ctx: TestContext;
  before(async () => (ctx = await testContext()));
  after(() => ctx.cleanup());

  it('registers one version per content, holding the templates, strings and venue wording', async () => {
    const venue = await makeVenue(ctx, 'pages', {
      wording: { en: { incentive: 'A free coffee on your next visit.' } },
    });
    const a = await ctx.consentPages.currentVersion(venue, 'en');
    const again = await ctx.consentPages.currentVersion(venue, 'en');
    const bg = await ctx.consentPages.currentVersion(venue, 'bg');
    assert.equal(a.id, again.id);
    assert.notEqual(a.id, bg.id);
    const stored = await loadTemplateVersion<ConsentContent>(ctx.db, a.id);
    assert.deepEqual(Object.keys(stored!.content.templates).sort(), [...VERSIONED_TEMPLATES].sort());
    assert.equal(stored!.content.wording.incentive, 'A free coffee on your next visit.');
    assert.equal(stored!.content.strings['guest.consent.sms.label'], 'Send me offers by SMS');
    const rows = await ctx.db.all('SELECT id FROM template_versions WHERE venue_id = ?', [venue.id]);
    assert.equal(rows.length, 2);

    const changed = { ...venue, settings: { ...venue.settings, wording: { en: { incentive: 'Two free coffees.' } } } };
    await updateVenueSettings(ctx.db, venue.id, changed.settings);
    assert.notEqual((await ctx.consentPages.currentVersion(changed, 'en')).id, a.id, 'new wording, new version');
  });

  it('renders a clean screen 1 through the fast path byte for byte as a full render', async () => {
    const venue = await makeVenue(ctx, 'pages2', {
      fields: { name: 'required', email: 'optional', birthDate: 'optional' },
    });
    for (const locale of ['en', 'bg'] as const) {
      const v = await ctx.consentPages.currentVersion(venue, locale);
      for (const flowId of ['0f8fad5b-d9cb-469f-a165-70867728950e', '7c9e6679-7425-40de-944b-e07fc1f90ae7']) {
        const vars = { flowId, csrf: csrfToken(ctx.keys, flowId) };
        const fast = ctx.consentPages.renderStart(v.id, v.content, vars);
        assert.equal(fast, ctx.consentPages.renderFull(v.id, v.content, vars));
        assert.ok(fast.includes(`value="${flowId}"`) && fast.includes(vars.csrf));
      }
      // Rendered again from the stored copy alone, the page is the same.
      const stored = await loadTemplateVersion<ConsentContent>(ctx.db, v.id);
      const vars = { flowId: '0f8fad5b-d9cb-469f-a165-70867728950e', csrf: 'abc' };
      assert.equal(
        ctx.consentPages.renderFull(v.id, stored!.content, vars),
        ctx.consentPages.renderFull(v.id, v.content, vars),
      );
      assert.match(
        ctx.consentPages.renderLegal(v.id, stored!.content, 'privacy'),
        locale === 'en' ? /Privacy notice/ : /Уведомление за поверителност/,
      );
    }
  });

  it('serves screen 1 from its once-rendered skeleton as exactly the bytes of a full render, for each locale, venue and notice', async () => {
    // A venue with a logo, its own wording and every optional field; one with none of them.
    const full = await makeVenue(ctx, 'skeleton-full', {
      fields: { name: 'required', email: 'optional', birthDate: 'optional' },
      offers: { sms: true, email: true },
      branding: { logo: '/logos/0123456789abcdef0123456789abcdef01234567.png' },
      wording: {
        en: { incentive: 'A free <coffee> & cake.', welcome: 'Hello "guest"' },
        bg: { sms: 'Оферти по SMS.' },
      },
    });
    const bare = await makeVenue(ctx, 'skeleton-bare', {
      fields: { name: 'off', email: 'off', birthDate: 'off' },
      offers: { sms: false, email: false },
    });
    const entryOf = (n: number) => `eyJ${'A'.repeat(n)}_x-y.c2ln${n}`;
    for (const venue of [full, bare])
      for (const locale of ['en', 'bg'] as const) {
        const v = await ctx.consentPages.currentVersion(venue, locale);
        const notices = [undefined, ctx.views.t(locale, 'access.reject.expired'), 'A <notice> & "quotes"'];
        for (const notice of notices)
          for (const [i, flowId] of [
            '0f8fad5b-d9cb-469f-a165-70867728950e',
            '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          ].entries())
            for (const entry of [undefined, entryOf(40 + i)]) {
              const vars = { flowId, csrf: csrfToken(ctx.keys, flowId), entry, notice };
              const expected = ctx.consentPages.renderFull(v.id, v.content, vars);
              const what = `${venue.slug} ${locale} notice=${notice} entry=${entry}`;
              assert.equal(ctx.consentPages.renderStart(v.id, v.content, vars), expected, what);
              assert.ok(ctx.consentPages.renderStartBytes(v.id, v.content, vars).equals(Buffer.from(expected)), what);
              // The stored copy renders the same page (the evidence guarantee).
              const stored = await ctx.consentPages.storedVersion(v.id);
              assert.equal(ctx.consentPages.renderFull(v.id, stored!.content, vars), expected, what);
              if (notice) assert.ok(expected.includes('class="notice"'), what);
              else assert.ok(!expected.includes('class="notice"'), what);
              assert.ok(expected.includes(`value="${flowId}"`) && expected.includes(vars.csrf), what);
              if (entry) assert.ok(expected.includes(entry), what);
            }
      }
  });

  it("hashes each purpose's text; the same purpose differs between languages", async () => {
    const venue = await makeVenue(ctx, 'pages3');
    const en = (await ctx.consentPages.currentVersion(venue, 'en')).content;
    const bg = (await ctx.consentPages.currentVersion(venue, 'bg')).content;
    const hashes = ['terms', 'sms', 'email'].map((p) => ctx.consentPages.consentTextHash(en, p as 'terms'));
    assert.equal(new Set(hashes).size, 3);
    assert.notEqual(ctx.consentPages.consentTextHash(en, 'sms'), ctx.consentPages.consentTextHash(bg, 'sms'));
    assert.match(hashes[0], /^[0-9a-f]{64}$/);
  });

  it("keeps each content's text hashes apart, asked in turn: the label and text of that content, that purpose", async () => {
    const a = await makeVenue(ctx, 'pages4');
    const b = await makeVenue(ctx, 'pages5', { wording: { en: { sms: 'Offers from pages5, weekly.' } } });
    const contents = [
      (await ctx.consentPages.currentVersion(a, 'en')).content,
      (await ctx.consentPages.currentVersion(a, 'bg')).content,
      (await ctx.consentPages.currentVersion(b, 'en')).content,
    ];
    const direct = (c: (typeof contents)[number], p: 'terms' | 'sms' | 'email') =>
      sha256(`${translate(c.strings, `guest.consent.${p}.label`)}\n${ctx.consentPages.consentTexts(c)[p]}`);
    for (let round = 0; round < 2; round++)
      for (const c of contents)
        for (const p of ['sms', 'terms', 'email'] as const)
          assert.equal(ctx.consentPages.consentTextHash(c, p), direct(c, p), `${c.locale} ${c.venue.name} ${p}`);
    assert.notEqual(
      ctx.consentPages.consentTextHash(contents[0], 'sms'),
      ctx.consentPages.consentTextHash(contents[2], 'sms'),
    );
  });
});
