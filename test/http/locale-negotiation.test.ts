// The language a guest's page is in, from the link, the cookie or Accept-Language. The
// answer for a header is remembered (screen 1 asks on every request), so these pin that a
// remembered answer never crosses venues with other languages and that the sender cannot
// make it wrong or unbounded.
import assert from 'node:assert/strict';
import { negotiateLocale } from '../../portal/http/i18n.ts';

describe('http: locale negotiation', () => {
  it('answers the same header by each venue’s own languages, asked in turn', () => {
    for (let i = 0; i < 3; i++) {
      assert.equal(negotiateLocale({ acceptLanguage: 'bg-BG,bg;q=0.9', allowed: ['en', 'bg'], fallback: 'en' }), 'bg');
      assert.equal(negotiateLocale({ acceptLanguage: 'bg-BG,bg;q=0.9', allowed: ['en'], fallback: 'en' }), 'en');
      assert.equal(negotiateLocale({ acceptLanguage: 'fr', allowed: ['en', 'bg'], fallback: 'bg' }), 'bg');
      assert.equal(negotiateLocale({ acceptLanguage: 'fr', allowed: ['en', 'bg'], fallback: 'en' }), 'en');
    }
  });

  it('ranks by q, and lets the link and the cookie win over the header', () => {
    assert.equal(
      negotiateLocale({ acceptLanguage: 'en;q=0.2, bg;q=0.8', allowed: ['en', 'bg'], fallback: 'en' }),
      'bg',
    );
    assert.equal(negotiateLocale({ acceptLanguage: 'en;q=0, bg;q=0', allowed: ['en', 'bg'], fallback: 'bg' }), 'bg');
    assert.equal(negotiateLocale({ query: 'en', acceptLanguage: 'bg', allowed: ['en', 'bg'], fallback: 'bg' }), 'en');
    assert.equal(negotiateLocale({ cookie: 'bg', acceptLanguage: 'en', allowed: ['en', 'bg'], fallback: 'en' }), 'bg');
    assert.equal(negotiateLocale({ query: 'bg', acceptLanguage: 'en', allowed: ['en'], fallback: 'en' }), 'en');
  });

  it('stays right through thousands of distinct and overlong headers a sender chooses', () => {
    for (let i = 0; i < 3000; i++) {
      const header = i % 2 ? `x-${i},bg;q=0.5` : `${'y'.repeat(300)}-${i},en;q=0.5`;
      assert.equal(
        negotiateLocale({ acceptLanguage: header, allowed: ['en', 'bg'], fallback: 'en' }),
        i % 2 ? 'bg' : 'en',
      );
    }
    assert.equal(negotiateLocale({ acceptLanguage: 'bg', allowed: ['en', 'bg'], fallback: 'en' }), 'bg');
  });
});
