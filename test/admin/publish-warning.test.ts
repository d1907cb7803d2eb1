// Issue 19.8: renaming the venue changed every consent text, so each returning guest's
// MAC login was refused for re-consent, and nobody had said so. Publishing a draft that
// changes consent wording now first says which languages and purposes change and how
// many remembered devices will be asked again; publishing then needs a confirmation.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { adminWorld, brandingForm, type AdminWorld } from './setup.ts';
import { findVenueBySlug } from '../../portal/venues/venues.ts';
import { listVersions } from '../../portal/venues/publish.ts';

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

eachBackend('admin: publishing warns before changing consent wording', (backend) => {
  let w: AdminWorld;
  before(async () => (w = await adminWorld({}, backend)));
  after(() => w.close());

  it('names the languages and purposes that change and the remembered devices asked again, and publishes only when confirmed', async () => {
    const op = await w.as('operator-a');
    const path = `/admin/venues/${w.a.slug}`;
    assert.equal(
      (await op.post(`${path}/branding`, await brandingForm(op, w.a.slug, { name: 'Café A Central' }))).status,
      303,
    );
    const versions = (await listVersions(w.ctx.db, w.a.id)).length;

    const asked = await op.post(`${path}/publish`, {});
    assert.equal(asked.status, 200, 'a page to confirm, not a redirect');
    const t = text(asked.html);
    assert.match(
      t,
      /This changes the consent wording in English, Bulgarian: English: Terms and privacy English: SMS offers/,
    );
    // adminWorld's guest agreed in English on the portal, and the grant remembers their device.
    assert.match(t, /1 remembered device will be asked to agree again/);
    assert.match(t, /The venue(&#39;|')s name is part of every consent text/);
    assert.match(asked.html, /<input type="hidden" name="confirm" value="yes">/);
    assert.equal((await findVenueBySlug(w.ctx.db, w.a.slug))!.name, 'Café A', 'nothing published yet');
    assert.equal((await listVersions(w.ctx.db, w.a.id)).length, versions);

    const done = await op.post(`${path}/publish`, { confirm: 'yes' });
    assert.equal(done.status, 303);
    assert.equal((await findVenueBySlug(w.ctx.db, w.a.slug))!.name, 'Café A Central');
  });

  it('publishes at once when no consent text changes', async () => {
    const op = await w.as('operator-a');
    const path = `/admin/venues/${w.a.slug}`;
    assert.equal(
      (await op.post(`${path}/branding`, await brandingForm(op, w.a.slug, { 'branding.primaryColor': '#0f766e' })))
        .status,
      303,
    );
    const res = await op.post(`${path}/publish`, {});
    assert.equal(res.status, 303);
    assert.equal((await findVenueBySlug(w.ctx.db, w.a.slug))!.settings.branding.primaryColor, '#0f766e');
  });
});
