// Issue 14's medium and low points, run as the outside review ran them: against Foyer
// started the way `npm start` starts it (its own process, NODE_ENV=development, SQLite),
// from outside, with nothing but HTTP. Each point also has a focused test next to the
// code it guards (named in deploy/SECURITY.md); this file proves the running product.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../portal/store/open.ts';
import { migrate } from '../../portal/store/migrate.ts';
import { ledgerMigrationSteps } from '../../portal/consent/head.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { fieldCipher } from '../../portal/crypto/fields.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { addAdmin } from '../../portal/accounts/accounts.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { httpPeer, type HttpPeer } from '../sms/peers.ts';
import { AdminClient } from '../admin/client.ts';
import { Browser } from '../guest/helpers.ts';
import type { Db } from '../../portal/store/db.ts';

const SECRET_KEY = 'review-attacks-secret-key-0123456789abcdef';
const PASSWORD = 'correct horse battery';

describe('security: issue 14 attacks against a running Foyer (npm start)', function () {
  this.timeout(120_000);
  let dir: string;
  let p: FoyerProcess;
  let peer: HttpPeer;
  let db: Db;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'foyer-attacks-'));
    const dbUrl = join(dir, 'foyer.db');
    db = await openDb(dbUrl);
    await migrate(db, ledgerMigrationSteps(deriveKeys(SECRET_KEY)));
    const cafe = await createVenue(db, { slug: 'cafe', name: 'Café', country: 'BG' });
    await addAdmin(db, { email: 'owner@cafe.test', password: PASSWORD, role: 'owner' });
    await addAdmin(db, { email: 'op@cafe.test', password: PASSWORD, role: 'operator', venueIds: [cafe.id] });
    // A NAS registered by the range its access points use, with one login host.
    await addNas(db, fieldCipher(deriveKeys(SECRET_KEY)), {
      name: 'gw',
      address: '10.7.0.0/24',
      vendor: 'coovachilli',
      venueId: cafe.id,
      nasIdentifier: 'gw',
      loginHosts: ['10.7.0.1:3990'],
    });
    // The http gateway, and no SMS_INBOUND_TOKEN: the set-up the review found open outside production.
    peer = await httpPeer(() => ({ status: 200, body: '{"id":"x"}' }));
    p = await foyerProcess({
      NODE_ENV: 'development',
      DATABASE_URL: dbUrl,
      DATA_DIR: dir,
      SECRET_KEY,
      SMS_GATEWAY: 'http',
      SMS_HTTP_URL: `${peer.url}/send`,
      SMS_HTTP_BODY: '{"to":"{{to}}","text":"{{text}}"}',
      SMS_HTTP_HEADERS: '{"Content-Type":"application/json"}',
    });
    await p.start();
  });
  after(async () => {
    await p?.kill();
    await peer?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('#4: an operator cannot widen the allowed countries or raise the SMS limits (403)', async () => {
    const op = new AdminClient(p.url);
    assert.equal((await op.login('op@cafe.test', PASSWORD)).status, 303);
    // The whole form as the page gives it, plus the fields the attacker adds.
    const page = (await op.get('/admin/venues/cafe/settings')).html;
    const form: Record<string, string | string[]> = Object.fromEntries(
      [...page.matchAll(/<input id="[^"]*" name="([^"]+)" type="(?:number|text)" value="([^"]*)"/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    form.locales = [...page.matchAll(/name="locales" value="(\w+)" checked/g)].map((m) => m[1]);
    form.defaultLocale = /<select id="defaultLocale"[\s\S]*?<option value="(\w+)" selected/.exec(page)![1];
    const res = await op.post('/admin/venues/cafe/settings', {
      ...form,
      allowedCountries: 'BG, CU, SO',
      'limits.perCountryHour': '1000000',
      'limits.venueDaily': '10000000',
    });
    assert.equal(res.status, 403);
    assert.match(res.html, /Only an owner can change the allowed countries and the SMS limits/);
    const saved = JSON.parse(
      (await db.get<{ settings: string }>("SELECT settings FROM venues WHERE slug = 'cafe'"))!.settings,
    );
    assert.deepEqual([saved.allowedCountries ?? [], saved.limits?.venueDaily ?? 1000], [[], 1000]);
  });

  it('#5: a forged STOP without a token is refused and reaches nothing', async () => {
    const res = await fetch(`${p.url}/sms/inbound/http`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+359881234567', to: '1234', text: 'STOP', id: 'forged' }),
    });
    assert.equal(res.status, 403);
    assert.equal((await db.all('SELECT id FROM sms_inbound')).length, 0);
    assert.equal((await db.all("SELECT id FROM consent_events WHERE decision = 'withdrawn'")).length, 0);
    assert.equal(peer.requests.length, 0, 'nothing sent');
  });

  it("#9: a login address elsewhere in the NAS's range gets no guest (400)", async () => {
    const q = (uamip: string, mac: string) =>
      `/p/cafe?res=notyet&uamip=${uamip}&uamport=3990&challenge=00112233445566778899aabbccddeeff&mac=${mac}&nasid=gw`;
    assert.equal((await new Browser(p.url).get(q('10.7.0.66', '02-00-00-00-00-01'))).status, 400);
    assert.equal((await new Browser(p.url).get(q('10.7.0.1', '02-00-00-00-00-02'))).status, 200);
  });
  // Last: it locks the address the other attacks come from.
  it('#3: 40 wrong passwords sent at once are checked at most 5 times', async () => {
    const c = new AdminClient(p.url);
    await c.get('/admin/login');
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        c.post('/admin/login', { email: 'owner@cafe.test', password: `guess ${i}` }),
      ),
    );
    const checked = answers.filter((r) => r.status === 401).length;
    assert.ok(checked < 5, `${checked} answered "wrong password" (the 5th check locks, with 429)`);
    assert.equal(answers.filter((r) => r.status === 429).length, 40 - checked);
  });
});
