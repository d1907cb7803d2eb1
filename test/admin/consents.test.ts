// Consent records from the console: search by number however it is typed, filters,
// one person's events, withdraw (a ledger event by the operator), erase, exports.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { adminWorld, EMAILS, type AdminWorld } from './setup.ts';
import type { AdminClient } from './client.ts';
import { signUp } from '../support/ledger-fixtures.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { normaliseNumber } from '../../portal/consent/search.ts';
import type { ConsentEventRow } from '../../portal/consent/event.ts';
import { appendEvents } from '../../portal/consent/append.ts';

eachBackend('admin: consent records', (backend) => {
  let w: AdminWorld;
  let op: AdminClient;
  before(async () => {
    w = await adminWorld({}, backend, (ctx, a) =>
      signUp(ctx, a.id, '+359887000111', { terms: 'granted', sms: 'declined' }, Date.parse('2026-03-01T10:00:00Z')),
    );
    op = await w.as('operator-a');
    await signUp(w.ctx, w.b.id, '+359888123456', { terms: 'granted', sms: 'granted' });
  });
  after(async () => w?.close());

  it('normalises a number from the ways people type it', () => {
    for (const typed of ['0888 123 456', '+359 888 123 456', '00359888123456', '(0888) 12-34-56', '+359888123456'])
      assert.equal(normaliseNumber(typed, 'BG'), '+359888123456', typed);
    assert.equal(normaliseNumber('12', 'BG'), undefined);
    assert.equal(normaliseNumber('not a number', 'BG'), undefined);
  });

  it('finds one person by number in any format, only at this venue', async () => {
    for (const typed of ['0888 123 456', '+359-888-123-456', '00359 888 123456']) {
      const res = await op.get(`/admin/venues/${w.a.slug}/consents?number=${encodeURIComponent(typed)}`);
      assert.equal(res.status, 200);
      assert.match(res.html, /Records for \+359888123456/);
      assert.equal((res.html.match(/consents\/person\/[0-9a-f]{64}/g) ?? []).length, 3, typed);
    }
    // Issue 19.9: people by their masked number and name, times in the venue's zone (BG: EET/EEST).
    const list = await op.get(`/admin/venues/${w.a.slug}/consents`);
    assert.match(list.html, /consents\/person\/[0-9a-f]{64}">\+35988\*\*\*\*456 · Test Guest<\/a>/);
    assert.doesNotMatch(list.html, />[0-9a-f]{12}…</, 'no hash as a name');
    assert.match(list.html, /<td>\d{1,2} \w{3} \d{4}, \d{2}:\d{2} (EET|EEST)<\/td>/);
    assert.doesNotMatch(list.html, / UTC</);
    const bad = await op.get(`/admin/venues/${w.a.slug}/consents?number=12ab`);
    assert.equal(bad.status, 400);
    assert.match(bad.html, /id="number-error"/);
  });

  // Issue 16: scoping must hold on the operator's own venue URLs too, not only on the other
  // venue's. Operator B asks for venue A's records through /admin/venues/bar-b/….
  it("gives an operator nothing of another venue through their own venue's URLs (404)", async () => {
    const opB = await w.as('operator-b');
    const onlyAtA = numberHash(w.ctx.keys, '+359887000111');
    const before = (await w.ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM consent_events'))!.n;
    for (const path of [
      `consents/event/${w.eventId}`,
      `consents/event/${w.eventId}/page`,
      `consents/person/${onlyAtA}`,
    ]) {
      const res = await opB.get(`/admin/venues/${w.b.slug}/${path}`);
      assert.equal(res.status, 404, `${path}: ${res.status}`);
      assert.doesNotMatch(res.html, /Café A|887000111|888123456/, path);
    }
    await opB.get(`/admin/venues/${w.b.slug}/consents`);
    assert.equal(
      (await opB.post(`/admin/venues/${w.b.slug}/consents/person/${onlyAtA}/withdraw`, { purpose: 'sms' })).status,
      404,
    );
    assert.equal(
      (await opB.post(`/admin/venues/${w.b.slug}/consents/person/${onlyAtA}/erase`, { confirm: 'yes' })).status,
      404,
    );
    assert.equal(
      (await w.ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM consent_events'))!.n,
      before,
      'nothing appended',
    );
    // The same event through venue A's URL is there for A's operator: the 404 above is the scoping.
    assert.equal((await op.get(`/admin/venues/${w.a.slug}/consents/event/${w.eventId}`)).status, 200);
  });

  it('filters by venue: the form forwards to the venue chosen, still checked against the account', async () => {
    const res = await op.get('/admin/consents?venue=cafe-a&purpose=sms');
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/admin/venues/cafe-a/consents?purpose=sms');
    assert.equal((await op.get('/admin/consents?venue=bar-b')).headers.get('location'), '/admin/venues/bar-b/consents');
    assert.equal((await op.get('/admin/venues/bar-b/consents')).status, 404);
    assert.equal((await op.get('/admin/consents?venue=..%2Fx')).status, 400);
    assert.doesNotMatch((await op.get('/admin/venues/cafe-a/consents')).html, /<option value="bar-b"/);
  });

  it('filters by purpose, decision, channel and date', async () => {
    const count = async (q: string) =>
      (
        (await op.get(`/admin/venues/${w.a.slug}/consents?${q}`)).html.match(
          /<td><a href="\/admin\/venues\/cafe-a\/consents\/event\//g,
        ) ?? []
      ).length;
    assert.equal(await count(''), 5);
    assert.equal(await count('purpose=sms'), 2);
    assert.equal(await count('decision=declined'), 2);
    assert.equal(await count('purpose=sms&decision=granted'), 1);
    assert.equal(await count('channel=operator'), 0);
    assert.equal(await count('from=2026-03-01&to=2026-03-01'), 2);
    assert.equal(await count('to=2026-02-28'), 0);
  });

  it('shows one person with every event and the page as shown', async () => {
    const res = await op.get(`/admin/venues/${w.a.slug}/consents/person/${w.guestHash}`);
    assert.equal(res.status, 200);
    assert.match(res.html, /\+359888123456/);
    assert.match(res.html, /Test Guest/);
    assert.equal((res.html.match(/<tr id="e-/g) ?? []).length, 3);
    // Versions by date and language, not by a hash (issue 19.9).
    assert.doesNotMatch(res.html, /<code>[0-9a-f]{10,}…<\/code>/);
    assert.match(res.html, /(page first shown|page version not stored)[^<]*<\/span> \(English\)|\(English\)/);
    const ev = await op.get(`/admin/venues/${w.a.slug}/consents/event/${w.eventId}`);
    assert.equal(ev.status, 200);
    assert.match(ev.html, new RegExp(w.eventId));
    // The other venue's person is not visible from here.
    const other = numberHash(w.ctx.keys, '+359887000111');
    assert.equal((await op.get(`/admin/venues/${w.b.slug}/consents/person/${other}`)).status, 404);
  });

  it('renders the stored page version an event names, and checks the consent text against its hash', async () => {
    const v = await w.ctx.consentPages.currentVersion(w.a, 'bg');
    const [e] = await w.ctx.db.tx((tx) =>
      appendEvents(
        tx,
        [
          {
            venueId: w.a.id,
            purpose: 'sms',
            decision: 'declined',
            channel: 'portal',
            numberHash: numberHash(w.ctx.keys, '+359887000333'),
            templateVersionId: v.id,
            locale: 'bg',
            textHash: w.ctx.consentPages.consentTextHash(v.content, 'sms'),
          },
        ],
        w.ctx.keys,
      ),
    );
    const page = await op.get(`/admin/venues/${w.a.slug}/consents/event/${e.id}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /id="agreed-text" lang="bg">[^<]*\S/);
    assert.match(page.html, /id="text-hash-check">The hash of this text is the one recorded/);
    const shown = await op.get(`/admin/venues/${w.a.slug}/consents/event/${e.id}/page`);
    assert.equal(shown.status, 200);
    assert.match(shown.html, /<html lang="bg"/);
    assert.match(shown.html, new RegExp(v.id));
    // Reading a guest's stored page is written to the audit log, naming the event.
    const viewed = (
      await w.ctx.db.all<{ actor_email: string; target: string; detail: string }>(
        "SELECT actor_email, target, detail FROM admin_audit WHERE action = 'consents.view_page'",
      )
    ).filter((r) => JSON.parse(r.detail).event === e.id);
    assert.deepEqual(
      viewed.map((r) => [r.actor_email, r.target]),
      [[EMAILS['operator-a'], w.a.slug]],
    );
    assert.equal(
      (await (await w.as('operator-b')).get(`/admin/venues/${w.a.slug}/consents/event/${e.id}/page`)).status,
      404,
    );
  });

  it('withdraws on request: asked to confirm first, a withdrawn event by the operator, chained on the ledger, the result shown after', async () => {
    const path = `/admin/venues/${w.a.slug}/consents/person/${w.guestHash}`;
    const page = await op.get(path);
    assert.match(
      page.html,
      /<input type="checkbox" name="confirm" value="yes" required> I confirm the person asked to withdraw this consent/,
    );
    // Issue 19.11: without the confirmation nothing happens, and the operator is told why.
    const unconfirmed = await op.post(`${path}/withdraw`, { purpose: 'sms' });
    assert.equal(unconfirmed.status, 400);
    assert.match(unconfirmed.html, /Tick the box to confirm that the person asked to withdraw this consent/);
    assert.deepEqual(await verifyLedger(w.ctx.db, w.ctx.keys), { ok: true, count: 8 });
    const res = await op.post(`${path}/withdraw`, { purpose: 'sms', note: 'phoned the café', confirm: 'yes' });
    assert.equal(res.status, 303);
    const last = (await w.ctx.db.get<ConsentEventRow>('SELECT * FROM consent_events ORDER BY seq DESC LIMIT 1'))!;
    // The notice's query comes before the fragment, so the page after says what happened.
    assert.equal(res.headers.get('location'), `${path}?done=withdrawn_sms#e-${last.id}`);
    const after = await op.get(`${path}?done=withdrawn_sms`);
    assert.match(after.html, /role="status">Withdrawn: SMS offers\. The withdrawal is recorded on the ledger/);
    assert.match(after.html, new RegExp(`<tr id="e-${last.id}">`));
    assert.equal(last.decision, 'withdrawn');
    assert.equal(last.purpose, 'sms');
    assert.equal(last.channel, 'operator');
    assert.equal(last.actor, EMAILS['operator-a']);
    assert.equal(last.number_hash, w.guestHash);
    assert.deepEqual(await verifyLedger(w.ctx.db, w.ctx.keys), { ok: true, count: 9 });
    // Nothing left to withdraw: told so, nothing appended.
    const again = await op.post(`/admin/venues/${w.a.slug}/consents/person/${w.guestHash}/withdraw`, {
      purpose: 'sms',
      confirm: 'yes',
    });
    assert.equal(again.status, 409);
    assert.equal(
      (await op.post(`/admin/venues/${w.a.slug}/consents/person/${w.guestHash}/withdraw`, { purpose: 'terms' })).status,
      400,
    );
  });

  it('exports CSV and JSON as the CLI does, and the SMS suppression list', async () => {
    const csv = await op.get(`/admin/venues/${w.a.slug}/consents/export?format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-disposition')!, /attachment; filename="cafe-a-consents.csv"/);
    const lines = csv.html.trim().split('\n');
    assert.match(lines[0], /^record_id,event_time,controller/);
    assert.equal(lines.length, 1 + 7);
    assert.match(csv.html, /\+359888123456/);
    const json = JSON.parse((await op.get(`/admin/venues/${w.a.slug}/consents/export?format=json&purpose=sms`)).html);
    assert.equal(json.length, 4);
    assert.ok(json.every((r: { purpose: string }) => r.purpose === 'sms'));
    const sup = (await op.get(`/admin/venues/${w.a.slug}/consents/suppression.csv`)).html.trim().split('\n');
    assert.equal(sup[0], 'number,number_hash,decision,decided_at');
    assert.equal(sup.length, 4, sup.join('\n'));
    assert.ok(sup.some((l) => l.startsWith('+359888123456,') && l.includes(',withdrawn,')));
    assert.ok(sup.some((l) => l.startsWith('+359887000111,') && l.includes(',declined,')));
  });

  it('erases personal data and keeps every event', async () => {
    assert.equal(
      (await op.post(`/admin/venues/${w.a.slug}/consents/person/${w.guestHash}/erase`, {})).status,
      400,
      'needs the confirmation',
    );
    const res = await op.post(`/admin/venues/${w.a.slug}/consents/person/${w.guestHash}/erase`, { confirm: 'yes' });
    assert.equal(res.status, 303);
    const s = await w.ctx.db.get<{ number_enc: string | null; name_enc: string | null; erased_at: number | null }>(
      'SELECT * FROM subjects WHERE number_hash = ? AND venue_id = ?',
      [w.guestHash, w.a.id],
    );
    assert.equal(s!.number_enc, null);
    assert.equal(s!.name_enc, null);
    assert.ok(s!.erased_at);
    const page = await op.get(`/admin/venues/${w.a.slug}/consents/person/${w.guestHash}`);
    assert.doesNotMatch(page.html, /\+359888123456/);
    assert.equal((page.html.match(/<tr id="e-/g) ?? []).length, 4);
    assert.deepEqual(await verifyLedger(w.ctx.db, w.ctx.keys), { ok: true, count: 9 });
    // Still suppressed, by hash.
    const sup = (await op.get(`/admin/venues/${w.a.slug}/consents/suppression.csv`)).html;
    assert.match(sup, new RegExp(`^,${w.guestHash},withdrawn,`, 'm'));
  });

  it('draws the dashboard as server-side SVG from the ledger', async () => {
    await signUp(w.ctx, w.a.id, '+359887000222', { terms: 'granted', sms: 'granted', email: 'declined' });
    const now = Date.now();
    for (const [i, status] of ['sent', 'delivered', 'failed', 'undeliverable', 'queued'].entries()) {
      await w.ctx.db.run(
        `INSERT INTO sms_messages (id, to_masked, to_hash, venue_id, purpose, status, gateway, created_at, updated_at) VALUES (?, '+35988****222', 'h', ?, 'code', ?, 'console', ?, ?)`,
        [`m${i}`, w.a.id, status, now, now],
      );
    }
    const res = await op.get(`/admin/venues/${w.a.slug}`);
    assert.equal(res.status, 200);
    assert.match(res.html, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*role="img"/);
    assert.match(res.html, /id="stat-signups">2</);
    assert.match(res.html, /id="stat-sessions">1</);
    assert.match(res.html, /id="stat-sms-sent">2</);
    assert.match(res.html, /id="stat-sms-failed">2</);
    assert.match(res.html, /<th scope="row">SMS offers<\/th><td>2<\/td><td>1<\/td><td>66.7%<\/td>/);
    assert.doesNotMatch(res.html, /<script/);
  });
});
