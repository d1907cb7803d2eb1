// The guest stylesheets over real HTTP: the links screen 1 carries name their content, so
// they are cached for good, and a browser that revalidates gets a 304 without a body.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { Browser, ENTRY, makeVenue } from './helpers.ts';
import { assetHrefs, themeCss, themeHash } from '../../portal/guest/assets.ts';
import type { Venue } from '../../portal/venues/venues.ts';

describe('guest stylesheets: versioned links, ETag and 304', function () {
  let ctx: TestContext;
  let srv: TestServer;
  before(async () => {
    ctx = await testContext();
    await makeVenue(ctx);
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  for (const which of ['guest.css', 'theme.css']) {
    it(`${which}: the linked address is immutable, and If-None-Match gets a 304`, async () => {
      const page = await new Browser(srv.url).get(`/p/cafe${ENTRY}`);
      const href = new RegExp(`href="(/p/[^"]*${which.replace('.', '\\.')}\\?v=[0-9a-f]+)"`)
        .exec(page.html)?.[1]
        .replace(/&amp;/g, '&');
      assert.ok(href, `screen 1 links ${which} with its hash`);
      const first = await fetch(srv.url + href);
      assert.equal(first.status, 200);
      assert.match(first.headers.get('content-type')!, /^text\/css/);
      assert.match(first.headers.get('cache-control')!, /immutable/);
      const etag = first.headers.get('etag')!;
      assert.match(etag, /^"[0-9a-f]{12}"$/);
      assert.ok(href.endsWith(`v=${etag.slice(1, -1)}`), 'the link names the content the ETag names');
      const again = await fetch(srv.url + href, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      assert.equal(await again.text(), '');
    });
  }

  it('theme.css at an address without its hash revalidates instead of being kept for a year', async () => {
    const r = await fetch(`${srv.url}/p/cafe/theme.css`);
    assert.equal(r.status, 200);
    assert.doesNotMatch(r.headers.get('cache-control')!, /immutable|31536000/);
    assert.match(r.headers.get('cache-control')!, /must-revalidate/);
  });

  it("links each venue's theme by the hash of its own colours, asked in turn (the hash is kept per theme text)", () => {
    const venue = (slug: string, primaryColor: string) =>
      ({
        slug,
        settings: { branding: { primaryColor, backgroundColor: '#ffffff', textColor: '#111111' } },
      }) as unknown as Venue;
    const seen = new Set<string>();
    for (const v of [venue('a', '#000001'), venue('a', '#000002'), venue('b', '#000001'), venue('a', '#000001')]) {
      const href = assetHrefs(v).theme;
      assert.equal(href, `/p/${v.slug}/theme.css?v=${themeHash(themeCss(v))}`);
      seen.add(href);
    }
    assert.equal(seen.size, 3, 'the same slug with other colours is another link; the same colours, the same');
  });
});
