// Issue 19.8, the choice left: renaming a venue changes every consent text (the name is in
// each), so every remembered device was asked to agree again. When the rename is all that
// changes, the owner or operator may say the same business is behind the new name: consent
// given under the old name then stands. The ledger's text hashes still cover exactly what
// each guest was shown; only the comparison takes the former name into account.
import assert from 'node:assert/strict';
import { eachBackend } from '../support/backends.ts';
import { adminWorld, brandingForm, type AdminWorld } from './setup.ts';
import { findVenueBySlug } from '../../portal/venues/venues.ts';
import { outdatedConsents } from '../../portal/consent/reconsent.ts';
import { grantStateById } from '../../portal/access/grant-state.ts';
import { createGrant } from '../../portal/access/grants.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { signUpFull } from '../support/ledger-fixtures.ts';

eachBackend("admin: publishing a rename by the same business keeps remembered guests' consent", (backend) => {
  let w: AdminWorld;
  let grantId: string;
  before(async () => {
    w = await adminWorld({}, backend);
    // A guest who agreed in English at the portal to the terms and SMS offers of "Café A",
    // the ledger holding each text's hash, and whose device is remembered.
    await signUpFull(w.ctx, w.a, '+359887000111');
    const subject = await w.ctx.db.get<{ id: string }>(
      'SELECT id FROM subjects WHERE venue_id = ? AND number_hash = ?',
      [w.a.id, numberHash(w.ctx.keys, '+359887000111')],
    );
    grantId = (
      await createGrant(w.ctx.db, w.ctx.cipher, {
        venueId: w.a.id,
        subjectId: subject!.id,
        clientMac: '02:00:00:00:01:11',
        session: w.a.settings.session,
      })
    ).id;
  });
  after(() => w.close());

  const outdated = async () =>
    (await outdatedConsents(w.ctx, (await grantStateById(w.ctx.db, grantId, Date.now()))!)).sort();
  const path = () => `/admin/venues/${w.a.slug}`;

  it('offers the choice when only the name changes, and then asks nobody again', async () => {
    assert.deepEqual(await outdated(), [], "agreed to today's wording");
    const op = await w.as('operator-a');
    assert.equal(
      (await op.post(`${path()}/branding`, await brandingForm(op, w.a.slug, { name: 'Café A Central' }))).status,
      303,
    );
    const asked = await op.post(`${path()}/publish`, {});
    assert.equal(asked.status, 200);
    assert.match(asked.html, /<input type="hidden" name="keepConsent" value="yes">/);
    assert.match(asked.html, /Publish, same business: keep remembered guests(&#39;|')s? consent/);
    assert.equal((await op.post(`${path()}/publish`, { confirm: 'yes', keepConsent: 'yes' })).status, 303);
    const venue = (await findVenueBySlug(w.ctx.db, w.a.slug))!;
    assert.equal(venue.name, 'Café A Central');
    assert.deepEqual(venue.settings.formerNames, ['Café A']);
    assert.deepEqual(await outdated(), [], 'the guest is let in by MAC again without a new consent');
  });

  it('does not offer it when the wording changes too, and what changed beyond the name is asked again', async () => {
    const op = await w.as('operator-a');
    const form = await brandingForm(op, w.a.slug, {
      name: 'Café A North',
      'wording.en.sms': 'Send me offers from Café A North by SMS. Reply STOP to opt out.',
    });
    assert.equal((await op.post(`${path()}/branding`, form)).status, 303);
    const asked = await op.post(`${path()}/publish`, {});
    assert.equal(asked.status, 200);
    assert.doesNotMatch(asked.html, /name="keepConsent"/);
    // Even sent by hand, the choice only substitutes the name: the new SMS wording is asked again.
    assert.equal((await op.post(`${path()}/publish`, { confirm: 'yes', keepConsent: 'yes' })).status, 303);
    assert.deepEqual(await outdated(), ['sms']);
  });

  it('a rename published without the choice asks everyone again, whatever names came before', async () => {
    const op = await w.as('operator-a');
    assert.equal(
      (await op.post(`${path()}/branding`, await brandingForm(op, w.a.slug, { name: 'Bistro Nova' }))).status,
      303,
    );
    assert.equal((await op.post(`${path()}/publish`, { confirm: 'yes' })).status, 303);
    assert.equal((await findVenueBySlug(w.ctx.db, w.a.slug))!.settings.formerNames, undefined);
    assert.deepEqual(await outdated(), ['sms', 'terms']);
  });
});
