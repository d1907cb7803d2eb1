// Screen 1 is rendered once per page version, locale and notice, and each request's own
// values are put into that skeleton. As an attacker would try it: two guests at one venue,
// asking in turn, must each get their own entry token, flow id, CSRF token and refusal
// notice, never the other's, and each page must be byte for byte what the evidence
// renderer makes of that page's own values.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { countStatements, type StatementLog } from '../support/statement-count.ts';
import { readEntryToken } from '../../portal/signup/entry-token.ts';
import { csrfToken } from '../../portal/http/csrf.ts';
import { recordReject } from '../../portal/access/reject-reasons.ts';
import { CHECK_MS } from '../../portal/access/refusal-memo.ts';
import type { Venue } from '../../portal/venues/venues.ts';
import { Browser, ENTRY, formFields, lastCode, makeVenue } from './helpers.ts';

describe('screen 1 from its once-rendered skeleton', function () {
  let ctx: TestContext;
  let srv: TestServer;
  let venue: Venue;
  let log: StatementLog;

  before(async () => {
    ctx = await testContext();
    log = countStatements(ctx.db);
    venue = await makeVenue(ctx, 'twice', {
      branding: { logo: '/logos/0123456789abcdef0123456789abcdef01234567.png' },
    });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  it("never carries one guest's token, CSRF or refusal notice into another guest's page", async () => {
    // Guest A's device had a grant here and was refused since; guest B's is new.
    const entryA = ENTRY.replace('EE-01', 'EE-31');
    const entryB = ENTRY.replace('EE-01', 'EE-32');
    const a0 = new Browser(srv.url);
    const f = formFields((await a0.get(`/p/twice${entryA}`)).html, '/start');
    const sent = await a0.post('/p/twice/start', { ...f, phone: '0887000031', consent_terms: 'yes' });
    const code = formFields((await a0.get(sent.location!)).html, '/code');
    assert.equal((await a0.post('/p/twice/code', { ...code, code: lastCode(ctx) })).status, 303);
    await ctx.db.run('UPDATE grants SET revoked_at = ? WHERE client_mac = ?', [Date.now(), 'aa:bb:cc:dd:ee:31']);
    await recordReject(ctx.db, { venueId: venue.id, mac: 'aa:bb:cc:dd:ee:31' }, 'revoked', Date.now() + 1);

    const seen = { f: new Set<string>(), t: new Set<string>(), csrf: new Set<string>() };
    for (let i = 0; i < 4; i++)
      for (const [who, entry, lang] of [
        ['A', entryA, 'en'],
        ['B', entryB, 'en'],
        ['A', entryA, 'bg'],
        ['B', entryB, 'bg'],
      ] as const) {
        const r = await new Browser(srv.url, { lang }).get(`/p/twice${entry}`);
        assert.equal(r.status, 200);
        const form = formFields(r.html, '/start');
        for (const k of ['f', 't', 'csrf'] as const) {
          assert.ok(!seen[k].has(form[k]), `${k} of ${who}'s page was served before`);
          seen[k].add(form[k]);
        }
        assert.equal(form.csrf, csrfToken(ctx.keys, form.f), "the CSRF token is bound to the page's own flow id");
        const e = readEntryToken(ctx.keys, form.t, venue.id, Date.now());
        assert.equal(e.id, form.f);
        assert.equal(e.handoff.clientMac, who === 'A' ? 'aa:bb:cc:dd:ee:31' : 'aa:bb:cc:dd:ee:32');
        assert.equal(e.locale, lang);
        if (who === 'A') assert.match(r.html, /<p class="notice" role="status">/);
        else assert.doesNotMatch(r.html, /class="notice"/);
        // What the evidence renderer makes of this page's own values is this very page.
        const stored = await ctx.consentPages.storedVersion(form.v);
        const notice = who === 'A' ? ctx.views.t(lang, 'access.reject.revoked') : undefined;
        assert.equal(
          ctx.consentPages.renderFull(form.v, stored!.content, {
            flowId: form.f,
            csrf: form.csrf,
            entry: form.t,
            notice,
          }),
          r.html,
        );
      }
  });

  it("keeps a device's 'nothing to show' a second at most: another process's refusal shows after that", async () => {
    const entryC = ENTRY.replace('EE-01', 'EE-33');
    const mac = 'aa:bb:cc:dd:ee:33';
    const a0 = new Browser(srv.url);
    const f = formFields((await a0.get(`/p/twice${entryC}`)).html, '/start');
    const sent = await a0.post('/p/twice/start', { ...f, phone: '0887000033', consent_terms: 'yes' });
    const code = formFields((await a0.get(sent.location!)).html, '/code');
    assert.equal((await a0.post('/p/twice/code', { ...code, code: lastCode(ctx) })).status, 303);
    assert.doesNotMatch((await new Browser(srv.url).get(`/p/twice${entryC}`)).html, /class="notice"/);
    // Written as another process's RADIUS writes it: this process is not told.
    await ctx.db.run('INSERT INTO access_rejects (key, reason, venue_id, at) VALUES (?, ?, ?, ?)', [
      `mac:${mac}`,
      'expired',
      venue.id,
      Date.now() + 1,
    ]);
    await new Promise((r) => setTimeout(r, CHECK_MS + 50));
    assert.match((await new Browser(srv.url).get(`/p/twice${entryC}`)).html, /<p class="notice" role="status">/);
  });

  // The after-login check and the entry both need the redirect and the browser's flow: read once.
  it('reads the flow of a browser with a flow cookie once, on screen 2 and after the sign-up alike', async () => {
    const b = new Browser(srv.url);
    const first = await b.get(`/p/twice${ENTRY}`);
    const sent = await b.post('/p/twice/start', {
      ...formFields(first.html, '/start'),
      phone: '0887000042',
      consent_terms: 'yes',
    });
    assert.equal(sent.status, 303);
    const flowReads = () => log.sql.filter((s) => s.startsWith('SELECT * FROM guest_flows')).length;

    log.reset();
    const back = await b.get(`/p/twice${ENTRY}`);
    assert.equal(back.status, 303, 'back from the SMS app: on to screen 2');
    assert.match(back.location!, /\/code\?f=/);
    assert.equal(flowReads(), 1, log.sql.join('\n'));

    const code = formFields((await b.get(sent.location!)).html, '/code');
    assert.equal((await b.post('/p/twice/code', { ...code, code: lastCode(ctx) })).status, 303);
    log.reset();
    const again = await b.get(`/p/twice${ENTRY}`);
    assert.equal(again.status, 303, 'signed up, hand-back not seen by the NAS: on to the online page');
    assert.equal(flowReads(), 1, log.sql.join('\n'));
  });
});
