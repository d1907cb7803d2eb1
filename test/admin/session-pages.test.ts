// Issue 19.9, the sessions pages: the console's live sessions (owners, network admins) and a
// venue's "online now" (its operators) speak the venue's words: the start in the venue's own
// time zone, named; how long and how much in words; the guest by their masked number where
// the session has one; the NAS by its name. A network admin still sees MACs and IPs masked
// and no number (deploy/SECURITY.md row 12).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eachBackend } from '../support/backends.ts';
import { adminWorld, type AdminWorld } from './setup.ts';
import { addNas, removeNas } from '../../portal/access/nas-clients.ts';
import { updateVenueSettings } from '../../portal/venues/venues.ts';
import { formatTime } from '../../portal/venues/time-zone.ts';

eachBackend("admin: the sessions pages in the venue's words", (backend) => {
  let w: AdminWorld;
  let startA: number;
  let startB: number;
  before(async () => {
    w = await adminWorld({}, backend);
    startA = Number(
      (await w.ctx.db.get<{ started_at: number }>('SELECT started_at FROM sessions WHERE id = ?', [w.sessionId]))!
        .started_at,
    );
    // Bar B keeps its clock in New York; its session came in through its own NAS, without a
    // Foyer grant (no person), 2 h 5 min ago, with 2.5 MB, and its last disconnect went unanswered.
    await updateVenueSettings(w.ctx.db, w.b.id, { ...w.b.settings, timeZone: 'America/New_York' });
    const nasB = await addNas(w.ctx.db, w.ctx.cipher, {
      name: 'terrace-b',
      address: '127.0.0.2',
      secret: 'nas-shared-secret',
      vendor: 'coovachilli',
      venueId: w.b.id,
    });
    startB = Date.now() - 125 * 60_000 - 30_000;
    await w.ctx.db.run(
      `INSERT INTO sessions (id, nas_id, acct_session_id, grant_id, username, mac, framed_ip, started_at, updated_at, input_octets, output_octets, interim_interval, stale_at, disconnect_result)
       VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        randomUUID(),
        nasB.id,
        'acct-b',
        '11:22:33:44:55:66',
        '10.9.8.7',
        startB,
        Date.now(),
        500_000,
        2_000_000,
        300,
        Date.now() + 900_000,
        'timeout',
      ],
    );
  });
  after(async () => w?.close());

  it("shows the owner each session in its venue's zone, the guest's masked number, the NAS by name, duration and data in words", async () => {
    const owner = await w.as('owner');
    const res = await owner.get('/admin/network/sessions');
    assert.equal(res.status, 200);
    assert.ok(res.html.includes(formatTime(startA, 'en', 'Europe/Sofia')), 'Café A in Sofia time');
    assert.match(formatTime(startA, 'en', 'Europe/Sofia'), /EES?T/);
    assert.ok(res.html.includes(formatTime(startB, 'en', 'America/New_York')), 'Bar B in New York time');
    assert.ok(!res.html.includes(formatTime(startA, 'en', 'UTC')), 'not in UTC');
    assert.match(res.html, /\+35988\*\*\*\*456/);
    assert.doesNotMatch(res.html, /\+359888123456/);
    assert.ok(!res.html.includes(w.guestHash.slice(0, 12)), 'no hash for the person');
    assert.match(res.html, /<td>ap-a<\/td>/);
    assert.match(res.html, /<td>terrace-b<\/td>/);
    assert.match(res.html, /<td>10 minutes<\/td>/);
    assert.match(res.html, /<td>2 h 5 min<\/td>/);
    assert.match(res.html, /<td>25\sMB<\/td>/);
    assert.match(res.html, /<td>2\.5\sMB<\/td>/);
    assert.match(res.html, /<td>not known<\/td>/, 'the session without a grant has no person');
    assert.match(res.html, /the NAS did not answer/);
    assert.doesNotMatch(res.html, /<td>timeout<\/td>/);
    // Owners see personal data whole.
    assert.match(res.html, /aa:bb:cc:dd:ee:ff[\s\S]*10\.0\.0\.5/);
  });

  it("shows a venue's operator its online guests in the venue's zone with masked numbers, in Bulgarian too", async () => {
    const op = await w.as('operator-a');
    const res = await op.get('/admin/venues/cafe-a/online');
    assert.equal(res.status, 200);
    assert.ok(res.html.includes(formatTime(startA, 'en', 'Europe/Sofia')));
    assert.match(res.html, /\+35988\*\*\*\*456/);
    assert.match(res.html, /aa:bb:cc:dd:ee:ff/);
    assert.doesNotMatch(res.html, /terrace-b|11:22:33/, "only this venue's sessions");
    const bg = await op.get('/admin/venues/cafe-a/online?lang=bg');
    assert.ok(bg.html.includes(formatTime(startA, 'bg', 'Europe/Sofia')));
    assert.match(bg.html, /<td>10 минути<\/td>/);
    assert.match(bg.html, /<td>25\sMB<\/td>/);
    assert.match(bg.html, /\+35988\*\*\*\*456/);
  });

  it("still shows a network admin MACs and IPs masked and no number, with the times in the venue's zone", async () => {
    const net = await w.as('network-admin');
    for (const path of ['/admin/network/sessions', '/admin/venues/cafe-a/online']) {
      const res = await net.get(path);
      assert.equal(res.status, 200, path);
      assert.match(res.html, /aa:bb:cc:\*\*:\*\*:ff/, path);
      assert.match(res.html, /10\.0\.\*\.\*/, path);
      assert.doesNotMatch(res.html, /aa:bb:cc:dd:ee:ff|10\.0\.0\.5\b/, path);
      assert.doesNotMatch(res.html, /\*{4}456|888123456/, `${path} shows the guest's number`);
      assert.ok(res.html.includes(formatTime(startA, 'en', 'Europe/Sofia')), path);
    }
    assert.match((await net.get('/admin/network/sessions')).html, /11:22:33:\*\*:\*\*:66/);
  });

  it('names a NAS removed since the session began as such, not by its id', async () => {
    const owner = await w.as('owner');
    assert.ok(await removeNas(w.ctx.db, 'terrace-b'));
    const res = await owner.get('/admin/network/sessions');
    assert.match(res.html, /a NAS no longer configured/);
  });
});
