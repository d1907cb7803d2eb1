// The guest pages' venues from memory (issue 17, 18): read at most once a second per
// process however busy the pages; a change through venues' own write functions shows at
// once in this process, and a change made elsewhere (another process, here a write that
// does not go through those functions) within about a second.
import assert from 'node:assert/strict';
import type { Queryable } from '../../portal/store/db.ts';
import { CachedVenues } from '../../portal/venues/cached-venues.ts';
import { createVenue, findVenueBySlug, updateVenueSettings } from '../../portal/venues/venues.ts';
import { contentOf, saveDraft } from '../../portal/venues/drafts.ts';
import { publishDraft } from '../../portal/venues/publish.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { eachBackend } from '../support/backends.ts';

/** ctx.db, counting the statements that read the venues table. */
function counting(db: Queryable): { db: Queryable; reads: () => number } {
  let n = 0;
  const count = (sql: string) => void (/FROM venues\b/.test(sql) && n++);
  return {
    db: {
      dialect: db.dialect,
      all: (sql, p) => (count(sql), db.all(sql, p)),
      get: (sql, p) => (count(sql), db.get(sql, p)),
      run: (sql, p) => db.run(sql, p),
    },
    reads: () => n,
  };
}

/** A write that skips venues' own functions, as another process's write looks to this one. */
const renameElsewhere = (ctx: TestContext, id: string, name: string) =>
  ctx.db.run('UPDATE venues SET name = ? WHERE id = ?', [name, id]);

eachBackend('venues served from memory', (backend) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await testContext({ backend });
  });
  afterEach(async () => ctx.cleanup());

  it('reads a busy venue at most once per check, and re-parses it only when its row changed', async () => {
    const made = await createVenue(ctx.db, { slug: 'cafe', name: 'Café' });
    let now = 0;
    const c = counting(ctx.db);
    const venues = new CachedVenues(c.db, 1000, () => now);
    const first = await venues.bySlug('cafe');
    assert.equal(first?.id, made.id);
    for (let i = 0; i < 100; i++) await venues.bySlug('cafe');
    assert.equal(c.reads(), 1, 'one read for 101 requests within a second');
    now = 1500;
    assert.equal(await venues.bySlug('cafe'), first, 'an unchanged row is reused as it is');
    assert.equal(c.reads(), 2);
    await Promise.all(Array.from({ length: 10 }, () => ((now = 3000), venues.bySlug('cafe'))));
    assert.equal(c.reads(), 3, 'requests arriving together share one read');
  });

  it('shows a change made elsewhere within the check interval, not before', async () => {
    const made = await createVenue(ctx.db, { slug: 'cafe', name: 'Café' });
    let now = 0;
    const venues = new CachedVenues(ctx.db, 1000, () => now);
    assert.equal((await venues.bySlug('cafe'))?.name, 'Café');
    await renameElsewhere(ctx, made.id, 'Café Central');
    now = 999;
    assert.equal((await venues.bySlug('cafe'))?.name, 'Café', 'kept for at most the check interval');
    now = 1000;
    assert.equal((await venues.bySlug('cafe'))?.name, 'Café Central');
  });

  it("shows a change through venues' own write functions at once, in every cache of the process", async () => {
    const made = await createVenue(ctx.db, { slug: 'cafe', name: 'Café' });
    const frozen = () => 0; // no check would ever fall due: only the writers can refresh these
    const a = new CachedVenues(ctx.db, 1000, frozen);
    const b = new CachedVenues(ctx.db, 1000, frozen);
    assert.equal((await a.bySlug('cafe'))?.settings.contact, '');
    assert.equal((await b.bySlug('cafe'))?.settings.contact, '');
    await updateVenueSettings(ctx.db, made.id, { ...made.settings, contact: 'hello@cafe.example' });
    assert.equal((await a.bySlug('cafe'))?.settings.contact, 'hello@cafe.example');
    assert.equal((await b.bySlug('cafe'))?.settings.contact, 'hello@cafe.example');
    // In a transaction, as the admin's settings page writes them.
    await ctx.db.tx(async (tx) => updateVenueSettings(tx, made.id, { ...made.settings, contact: 'desk@cafe.example' }));
    assert.equal((await a.bySlug('cafe'))?.settings.contact, 'desk@cafe.example');
    // Publishing a draft (the branding page).
    const venue = (await findVenueBySlug(ctx.db, 'cafe'))!;
    await saveDraft(ctx.db, made.id, { name: 'Café Central', content: contentOf(venue.settings) }, 'test');
    await publishDraft(ctx.db, made.id, 'test');
    assert.equal((await a.bySlug('cafe'))?.name, 'Café Central');
  });

  it('keeps no answer for a slug without a venue: one added a moment later is found at once', async () => {
    const venues = new CachedVenues(ctx.db, 1000, () => 0);
    assert.equal(await venues.bySlug('later'), undefined);
    await createVenue(ctx.db, { slug: 'later', name: 'Later' });
    assert.equal((await venues.bySlug('later'))?.name, 'Later');
  });

  describe('through the portal', () => {
    let srv: TestServer;
    beforeEach(async () => {
      srv = await serve(ctx);
    });
    afterEach(async () => srv.close());

    it('screen 1 shows a venue renamed by another process within about a second', async function () {
      this.timeout(10_000);
      const made = await createVenue(ctx.db, { slug: 'cafe', name: 'Cafe Old Name' });
      const page = async () => (await fetch(`${srv.url}/p/cafe?mac=02:00:00:00:00:01`)).text();
      assert.match(await page(), /Cafe Old Name/);
      await renameElsewhere(ctx, made.id, 'Cafe New Name');
      const t0 = Date.now();
      let html = await page();
      while (!/Cafe New Name/.test(html) && Date.now() - t0 < 5000) {
        await new Promise((r) => setTimeout(r, 50));
        html = await page();
      }
      const ms = Date.now() - t0;
      assert.match(html, /Cafe New Name/);
      assert.ok(ms < 1500, `shown after ${ms} ms`);
    });
  });
});
