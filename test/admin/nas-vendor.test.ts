// The venue's access-point vendor: set on the settings page, the default for NAS clients
// added from the command line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminWorld, type AdminWorld } from './setup.ts';
import { findVenueBySlug } from '../../portal/venues/venues.ts';
import { settingsToForm } from '../../portal/admin/settings-form.ts';
import { foyer } from '../support/cli.ts';

describe('admin: the venue NAS vendor', function () {
  this.timeout(60_000);
  let w: AdminWorld;
  before(async () => (w = await adminWorld()));
  after(() => w.close());

  it('is chosen from the vendor list on the settings page and saved', async () => {
    const op = await w.as('operator-a');
    const page = await op.get(`/admin/venues/${w.a.slug}/settings`);
    assert.match(page.html, /<select id="nasVendor"/);
    assert.match(page.html, /<option value="mikrotik"/);
    const form = { ...settingsToForm(w.a.settings), nasVendor: 'mikrotik' };
    const saved = await op.post(`/admin/venues/${w.a.slug}/settings`, form);
    assert.equal(saved.status, 303, saved.html);
    assert.equal((await findVenueBySlug(w.ctx.db, w.a.slug))!.settings.nasVendor, 'mikrotik');
    const bad = await op.post(`/admin/venues/${w.a.slug}/settings`, { ...form, nasVendor: 'acme' });
    assert.equal(bad.status, 400);
  });
});

describe('CLI: nas add takes the venue vendor by default', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'foyer-vendor-'));
    env = { DATA_DIR: dir, DATABASE_URL: join(dir, 'foyer.db'), DEMO_SEED: 'false' };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the venue default, and asks for --vendor when there is none', async () => {
    assert.equal((await foyer(['migrate'], env)).code, 0);
    assert.equal((await foyer(['venue', 'add', '--slug', 'cafe', '--name', 'Cafe'], env)).code, 0);
    const none = await foyer(['nas', 'add', '--name', 'ap1', '--ip', '192.0.2.1', '--venue', 'cafe'], env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--vendor is required: venue "cafe" has no default NAS vendor/);
    const { openDb } = await import('../../portal/store/open.ts');
    const { findVenueBySlug: find, updateVenueSettings } = await import('../../portal/venues/venues.ts');
    const db = await openDb(env.DATABASE_URL);
    const v = (await find(db, 'cafe'))!;
    await updateVenueSettings(db, v.id, { ...v.settings, nasVendor: 'coovachilli' });
    await db.close();
    const ok = await foyer(['nas', 'add', '--name', 'ap1', '--ip', '192.0.2.1', '--venue', 'cafe'], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /vendor coovachilli/);
  });
});
