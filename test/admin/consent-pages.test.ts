// The consent pages around their lookups, over HTTP: a search by number is written to the
// audit log (a search without one is not), an unknown person, event or stored page is a
// 404 that says so, and the venue picker lists the operator's own venues. From the
// survivors of `npm run mutate -- permissions`.
import assert from 'node:assert/strict';
import { adminWorld, EMAILS, type AdminWorld } from './setup.ts';
import type { AdminClient } from './client.ts';
import { signUp } from '../support/ledger-fixtures.ts';

describe('admin: consent pages around their lookups', function () {
  this.timeout(60_000);
  let w: AdminWorld;
  let op: AdminClient;
  before(async () => {
    w = await adminWorld();
    op = await w.as('operator-a');
    await signUp(w.ctx, w.a.id, '+359887000222', { terms: 'granted' });
  });
  after(async () => w?.close());

  const audits = (action: string) =>
    w.ctx.db.all<{ actor_email: string; target: string; detail: string }>(
      'SELECT actor_email, target, detail FROM admin_audit WHERE action = ? ORDER BY at',
      [action],
    );

  it('writes a search by number to the audit log, and a search without one not', async () => {
    const before = (await audits('consents.search')).length;
    assert.equal((await op.get(`/admin/venues/${w.a.slug}/consents?purpose=terms`)).status, 200);
    assert.equal((await audits('consents.search')).length, before, 'no number, no entry');
    assert.equal((await op.get(`/admin/venues/${w.a.slug}/consents?number=0887000222`)).status, 200);
    const entries = await audits('consents.search');
    assert.equal(entries.length, before + 1);
    assert.deepEqual(
      [entries.at(-1)!.actor_email, entries.at(-1)!.target, JSON.parse(entries.at(-1)!.detail)],
      [EMAILS['operator-a'], w.a.slug, { byNumber: true }],
    );
  });

  it('answers an unknown person, event or stored page with a 404 that says so', async () => {
    const junk = await op.get(`/admin/venues/${w.a.slug}/consents/person/not-a-hash`);
    assert.equal(junk.status, 404);
    assert.match(junk.html, /There are no consent records for this person at this venue\./);
    const person = await op.get(`/admin/venues/${w.a.slug}/consents/person/${'a'.repeat(64)}`);
    assert.equal(person.status, 404);
    assert.match(person.html, /There are no consent records for this person at this venue\./);
    const event = await op.get(`/admin/venues/${w.a.slug}/consents/event/no-such-event`);
    assert.equal(event.status, 404);
    assert.match(event.html, /There is no such consent record at this venue\./);
    const page = await op.get(`/admin/venues/${w.a.slug}/consents/event/no-such-event/page`);
    assert.equal(page.status, 404);
    // Same error code as the event: the page shows the code's message from the locale file.
    assert.match(page.html, /There is no such consent record at this venue\./);
    // In Bulgarian: the error code picks the locale's message (the English text is only a fallback).
    const bg = await w.as('operator-a');
    assert.match(
      (await bg.get(`/admin/venues/${w.a.slug}/consents/person/not-a-hash?lang=bg`)).html,
      /Няма записи за съгласия на това лице в този обект\./,
    );
    assert.match(
      (await bg.get(`/admin/venues/${w.a.slug}/consents/event/no-such-event?lang=bg`)).html,
      /Няма такъв запис за съгласие в този обект\./,
    );
    assert.match(
      (await bg.get(`/admin/venues/${w.a.slug}/consents/event/no-such-event/page?lang=bg`)).html,
      /Няма такъв запис за съгласие в този обект\./,
    );
  });

  it('reads the from and to dates of the search form', async () => {
    const rows = async (q: string) =>
      ((await op.get(`/admin/venues/${w.a.slug}/consents?${q}`)).html.match(/consents\/event\//g) ?? []).length;
    const all = await rows('');
    assert.ok(all > 0);
    assert.equal(await rows('to=2000-01-01'), 0);
    assert.equal(await rows('from=2999-01-01'), 0);
    assert.equal(await rows('from=2000-01-01&to=2999-01-01'), all);
  });

  it("lists the operator's own venues in the picker, and only those", async () => {
    const html = (await op.get(`/admin/venues/${w.a.slug}/consents`)).html;
    assert.match(html, new RegExp(`<option value="${w.a.slug}"`));
    assert.doesNotMatch(html, new RegExp(`<option value="${w.b.slug}"`));
    const owner = await w.as('owner');
    const all = (await owner.get(`/admin/venues/${w.a.slug}/consents`)).html;
    assert.match(all, new RegExp(`<option value="${w.b.slug}"`));
  });
});
