// Screen 2 and the online page are rendered once per venue, locale, message and state, and
// each request's own values (flow id, CSRF token, masked number, the page the guest asked
// for) are put into that skeleton escaped (portal/guest/pages.ts renderSlotted). Asked in
// turn, with values an attacker would choose, every page must be byte for byte what the
// template engine renders with the same values: a cache key missing any part (the venue,
// the locale, the error, the state) or an escaping that differs from the engine's fails here.
import assert from 'node:assert/strict';
import { createViews } from '../../portal/http/views.ts';
import { renderedPage, slottedHtml, type Slots } from '../../portal/guest/pages.ts';
import type { Venue } from '../../portal/venues/venues.ts';
import type { Locale } from '../../portal/venues/settings.ts';

const venue = (slug: string, name: string, logo?: string) =>
  ({
    slug,
    name,
    settings: {
      locales: ['en', 'bg'],
      branding: {
        primaryColor: '#123456',
        backgroundColor: '#ffffff',
        textColor: '#111111',
        ...(logo ? { logo } : {}),
      },
    },
  }) as unknown as Venue;

const VENUES = [venue('cafe', 'Café Central'), venue('bar', 'Bar <"Ace"> & Co', '/logos/abc.png')];
const LOCALES: Locale[] = ['en', 'bg'];
const FLOWS = ['0b7c1f6e-2a4b-4c5d-9e8f-0123456789ab', 'ffffffff-0000-4000-8000-000000000001'];
const MASKED = ['+35988****567', '', `<script>&"'\\`];
const URLS = [undefined, 'http://example.com/news?a=1&b="2"', "https://x.example/<'&'>"];

describe('guest pages from their skeletons, byte for byte as the engine renders them', function () {
  const views = createViews();

  function check(
    page: string,
    locale: Locale,
    v: Venue,
    slots: Slots,
    build: (s: (n: string) => string | undefined) => Record<string, unknown>,
  ) {
    const fast = slottedHtml(views, page, locale, v, slots, build);
    const full = renderedPage(
      views,
      page,
      locale,
      v,
      build((n) => slots[n]),
    );
    assert.equal(fast, full, `${page} ${locale} ${v.slug} ${JSON.stringify(slots)}`);
    return fast;
  }

  it('screen 2: each venue, locale, state, message and flow in turn', function () {
    let n = 0;
    for (let round = 0; round < 2; round++)
      for (const v of VENUES)
        for (const locale of LOCALES)
          for (const canEnter of [true, false])
            for (const error of [undefined, 'That code is not right. 4 tries left.', 'Bad <b>&"\'</b>'])
              for (const notice of [undefined, 'We sent a new code.'])
                for (const [i, flowId] of FLOWS.entries()) {
                  const masked = MASKED[(n + i) % MASKED.length];
                  const csrf = `csrf-${n}-${flowId.slice(0, 4)}`;
                  const html = check('code', locale, v, { flowId, csrf, masked }, (slot) => ({
                    flowId: slot('flowId'),
                    csrf: slot('csrf'),
                    switchBase: `/p/${v.slug}/code?f=${slot('flowId')}&`,
                    masked: slot('masked'),
                    minutes: 10,
                    length: 6,
                    canEnter,
                    error,
                    notice,
                  }));
                  assert.ok(html.includes(`name="csrf" value="${csrf}"`), "the request's own token");
                  assert.ok(html.includes(flowId));
                  n++;
                }
    assert.ok(n > 100);
  });

  it('the online page: each venue, locale, duration, offer and the URL the guest asked for in turn', function () {
    for (let round = 0; round < 2; round++)
      for (const v of VENUES)
        for (const locale of LOCALES)
          for (const duration of ['4 h 0 min', '45 minutes'])
            for (const smsOptIn of [true, false])
              for (const [i, originalUrl] of URLS.entries()) {
                const flowId = FLOWS[i % FLOWS.length];
                const html = check('online', locale, v, { flowId, originalUrl }, (slot) => ({
                  switchBase: `/p/${v.slug}/online?f=${slot('flowId')}&`,
                  duration,
                  originalUrl: slot('originalUrl'),
                  smsOptIn,
                }));
                assert.equal(html.includes('class="button"'), Boolean(originalUrl), 'the link only with a URL');
              }
  });
});
