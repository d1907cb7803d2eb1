// The venue settings page: every field with its range on the page, errors next to
// fields, saved values applied to the venue (and the wording left alone).
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { adminWorld, type AdminWorld } from './setup.ts';
import type { AdminClient } from './client.ts';
import { findVenueBySlug } from '../../portal/venues/venues.ts';
import { numberFields } from '../../portal/admin/settings-form.ts';

function formOf(html: string): Record<string, string | string[]> {
  const f: Record<string, string | string[]> = {};
  for (const m of html.matchAll(/<input id="[^"]*" name="([^"]+)" type="(?:number|text)" value="([^"]*)"/g))
    f[m[1]] = m[2];
  f.locales = [...html.matchAll(/name="locales" value="(\w+)" checked/g)].map((m) => m[1]);
  f.defaultLocale = /<select id="defaultLocale"[\s\S]*?<option value="(\w+)" selected/.exec(html)![1];
  return f;
}

eachBackend('admin: venue settings', (backend) => {
  let w: AdminWorld;
  let op: AdminClient;
  before(async () => {
    w = await adminWorld({}, backend);
    op = await w.as('operator-a');
  });
  after(async () => w?.close());

  it('shows every numeric setting with the range the schema enforces', async () => {
    const owner = await w.as('owner');
    const res = await owner.get(`/admin/venues/${w.a.slug}/settings`);
    assert.equal(res.status, 200);
    const fields = numberFields().flatMap((g) => g.fields);
    assert.ok(fields.length >= 20);
    for (const f of fields) {
      const id = f.name.replace(/\./g, '-');
      assert.match(
        res.html,
        new RegExp(`id="${id}-hint">A whole number from ${f.min} to ${f.max} \\(default ${f.default}\\)`),
        f.name,
      );
      assert.match(
        res.html,
        new RegExp(
          `<input id="${id}" name="${f.name}" type="number" value="${f.default}"[^>]* min="${f.min}" max="${f.max}"`,
        ),
        f.name,
      );
    }
    assert.match(res.html, /id="session-durationMinutes-hint">A whole number from 5 to 43200/);
    assert.match((await owner.get(`/admin/venues/${w.a.slug}/settings?lang=bg`)).html, /Цяло число от 5 до 43200/);
  });

  it('refuses values out of range with the error next to each field', async () => {
    const owner = await w.as('owner');
    const form = formOf((await owner.get(`/admin/venues/${w.a.slug}/settings?lang=en`)).html);
    const res = await owner.post(`/admin/venues/${w.a.slug}/settings`, {
      ...form,
      'session.durationMinutes': '1',
      'code.length': '12',
      'limits.venueDaily': 'lots',
      allowedCountries: 'BG, Bulgaria',
      locales: [],
    });
    assert.equal(res.status, 400);
    assert.match(res.html, /id="session-durationMinutes-error"/);
    assert.match(res.html, /id="code-length-error"/);
    assert.match(res.html, /id="limits-venueDaily-error">Enter a whole number/);
    assert.match(res.html, /id="allowedCountries-error"/);
    assert.match(res.html, /id="locales"/);
    assert.match(res.html, /value="lots"/, 'what was typed is kept');
    assert.equal((await findVenueBySlug(w.ctx.db, w.a.slug))!.settings.session.durationMinutes, 240);
  });

  it('lets only an owner set the export directory on the host', async () => {
    const form = formOf((await op.get(`/admin/venues/${w.a.slug}/settings?lang=en`)).html);
    assert.equal(form.activeListExportDir, undefined, 'no field for an operator');
    assert.equal(
      (await op.post(`/admin/venues/${w.a.slug}/settings`, { ...form, activeListExportDir: '/etc' })).status,
      303,
    );
    assert.equal((await findVenueBySlug(w.ctx.db, w.a.slug))!.settings.activeListExportDir, undefined);
    const owner = await w.as('owner');
    const oform = formOf((await owner.get(`/admin/venues/${w.a.slug}/settings?lang=en`)).html);
    assert.equal(oform.activeListExportDir, '');
    const bad = await owner.post(`/admin/venues/${w.a.slug}/settings`, {
      ...oform,
      activeListExportDir: 'relative/dir',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /id="activeListExportDir-error"/);
    assert.equal(
      (
        await owner.post(`/admin/venues/${w.a.slug}/settings`, {
          ...oform,
          activeListExportDir: '/var/lib/foyer/exports',
        })
      ).status,
      303,
    );
    assert.equal((await findVenueBySlug(w.ctx.db, w.a.slug))!.settings.activeListExportDir, '/var/lib/foyer/exports');
    assert.match((await op.get(`/admin/venues/${w.a.slug}/settings`)).html, /<code>\/var\/lib\/foyer\/exports<\/code>/);
  });

  it('saves valid settings, leaves the wording alone, and records what changed', async () => {
    const owner = await w.as('owner');
    const form = formOf((await owner.get(`/admin/venues/${w.a.slug}/settings`)).html);
    const res = await owner.post(`/admin/venues/${w.a.slug}/settings`, {
      ...form,
      'session.durationMinutes': '90',
      'limits.venueDaily': '250',
      retentionMonths: '12',
      allowedCountries: 'bg, ro',
      defaultLocale: 'bg',
    });
    assert.equal(res.status, 303);
    const v = (await findVenueBySlug(w.ctx.db, w.a.slug))!;
    assert.equal(v.settings.session.durationMinutes, 90);
    assert.equal(v.settings.limits.venueDaily, 250);
    assert.equal(v.settings.retentionMonths, 12);
    assert.deepEqual(v.settings.allowedCountries, ['BG', 'RO']);
    assert.equal(v.settings.defaultLocale, 'bg');
    const audit = await w.ctx.db.get<{ detail: string }>(
      "SELECT detail FROM admin_audit WHERE action = 'venue.settings.save' ORDER BY id DESC LIMIT 1",
    );
    assert.match(audit!.detail, /session\.durationMinutes=90/);
    assert.doesNotMatch(audit!.detail, /interimMinutes/);
  });

  it('keeps the toll-fraud controls (allowed countries, SMS limits) for owners: an operator is refused with 403 and not offered them', async () => {
    const page = await op.get(`/admin/venues/${w.a.slug}/settings?lang=en`);
    const form = formOf(page.html);
    for (const name of [
      'allowedCountries',
      ...numberFields()
        .find((g) => g.group === 'limits')!
        .fields.map((f) => f.name),
    ])
      assert.equal(form[name], undefined, `an operator is offered ${name}`);
    const before = (await findVenueBySlug(w.ctx.db, w.a.slug))!.settings;
    // What an attacker with an operator account sends: premium-rate destinations and every limit at its maximum.
    const limits = Object.fromEntries(
      numberFields()
        .find((g) => g.group === 'limits')!
        .fields.map((f) => [f.name, String(f.max)]),
    );
    for (const attempt of [{ allowedCountries: 'BG, GB, CU, SO' }, limits, { 'limits.perIpHour': '10000' }]) {
      const res = await op.post(`/admin/venues/${w.a.slug}/settings`, { ...form, ...attempt });
      assert.equal(res.status, 403, JSON.stringify(attempt));
      assert.match(res.html, /Only an owner can change the allowed countries and the SMS limits/);
    }
    const bg = await op.post(
      `/admin/venues/${w.a.slug}/settings?lang=bg`,
      { ...form, allowedCountries: 'CU' },
      { headers: { 'accept-language': 'bg' } },
    );
    assert.equal(bg.status, 403);
    assert.match(bg.html, /Само собственик може да променя разрешените държави и лимитите за SMS/);
    const after = (await findVenueBySlug(w.ctx.db, w.a.slug))!.settings;
    assert.deepEqual(after.allowedCountries, before.allowedCountries);
    assert.deepEqual(after.limits, before.limits);
    // The rest of the form still saves for the operator, and the controls keep their values.
    assert.equal(
      (await op.post(`/admin/venues/${w.a.slug}/settings`, { ...form, 'session.durationMinutes': '120' })).status,
      303,
    );
    const saved = (await findVenueBySlug(w.ctx.db, w.a.slug))!.settings;
    assert.equal(saved.session.durationMinutes, 120);
    assert.deepEqual(saved.limits, before.limits);
    assert.deepEqual(saved.allowedCountries, before.allowedCountries);
  });
});
