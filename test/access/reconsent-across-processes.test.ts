// Issue 18 point 4: MAC authentication answers a returning device from memory, with its
// re-consent verdict cached beside its grant. What the verdict is made from must still
// reach another process's RADIUS within the promised second (deploy/multi-node.md):
// new wording published anywhere sends the device to the portal, and the person's
// consent given again (on another of their devices) lets it back in. Two `npm start`
// processes on one PostgreSQL, guests signed up through the real HTTP flow, real UDP.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, requirements } from '../support/env.ts';
import { freshPostgresUrl } from '../support/context.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { accessRequest, prepareVenue, radiusAsk, signUp, untilAnswered, type Guest } from '../support/guest-signup.ts';
import { openDb } from '../../portal/store/open.ts';
import { findVenueBySlug, updateVenueSettings } from '../../portal/venues/venues.ts';

const SECRET_KEY = 'reconsent-across-secret-key-0123456789ab';
const NAS_SECRET = 'reconsent-nas-secret';

/** MAC authentication as a CoovaChilli-style NAS sends it: the MAC as name, password and Calling-Station-Id. */
const macAuth = (p: FoyerProcess, mac: string) => {
  const id = mac.toUpperCase().replace(/:/g, '-');
  return radiusAsk(p.authPort, accessRequest(NAS_SECRET, id, id, mac), 1000);
};

/** Milliseconds from `from` until screen 1 on `p` shows `text`, asking every 50 ms, for at most 10 s. */
async function untilShown(p: FoyerProcess, text: string, from: number): Promise<number> {
  for (;;) {
    if ((await (await fetch(`${p.url}/p/cafe`)).text()).includes(text)) return Date.now() - from;
    if (Date.now() - from > 10_000) throw new Error(`screen 1 did not show "${text}" after 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Milliseconds until `p` answers `code` for the device. */
const until = (p: FoyerProcess, mac: string, code: number, from: number) =>
  untilAnswered(() => macAuth(p, mac), code, from);

describe('a cached re-consent verdict follows wording and consent changes across processes [postgres]', function () {
  this.timeout(180_000);
  before(function () {
    needs(this, requirements.postgres);
  });
  let dir: string;
  let drop: (() => Promise<void>) | undefined;
  let dbUrl: string;
  let outbox: string;
  let p1: FoyerProcess;
  let p2: FoyerProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'foyer-reconsent-across-'));
    const pg = await freshPostgresUrl();
    drop = pg.drop;
    dbUrl = pg.url;
    outbox = join(dir, 'outbox.jsonl');
    await prepareVenue(dbUrl, { slug: 'cafe', secretKey: SECRET_KEY, nasSecret: NAS_SECRET });
    const env = { DATABASE_URL: dbUrl, DATA_DIR: dir, SECRET_KEY, SMS_OUTBOX: outbox };
    p1 = await foyerProcess(env);
    p2 = await foyerProcess(env);
    await Promise.all([p1.start(), p2.start()]);
  });
  after(async () => {
    await p1?.kill();
    await p2?.kill();
    await drop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('new wording refuses the device on the other process within a second, and consent given again lets its twin back in as fast', async () => {
    // One person, two devices, both signed up (with SMS offers) through process 1.
    const phone = '+359887000001';
    const a: Guest = { n: 1, phone, mac: '02:00:00:00:01:01', cuts: 0 };
    const b: Guest = { n: 3, phone, mac: '02:00:00:00:01:03', cuts: 0 };
    await signUp(p1.url, 'cafe', a, outbox);
    await signUp(p1.url, 'cafe', b, outbox);
    // Process 2 lets both back in by MAC and keeps their grants (and verdicts) in memory.
    for (let i = 0; i < 3; i++) {
      assert.equal(await macAuth(p2, a.mac), 2, 'device A by MAC on process 2');
      assert.equal(await macAuth(p2, b.mac), 2, 'device B by MAC on process 2');
    }

    // The venue publishes new SMS wording, written by a process of its own (as the CLI or
    // another Foyer would): nothing tells process 2 but the database.
    const db = await openDb(dbUrl);
    let wordingMs: number;
    let portalMs: number;
    try {
      const venue = (await findVenueBySlug(db, 'cafe'))!;
      await updateVenueSettings(db, venue.id, {
        ...venue.settings,
        wording: { en: { sms: 'Weekly offers from the Test Café by SMS. Reply STOP to stop.' } },
      });
      const changedAt = Date.now();
      wordingMs = await until(p2, b.mac, 3, changedAt);
      // Process 1's portal serves its venues from memory and learns of a change made
      // elsewhere within about a second too (venues/cached-venues.ts): the guest below
      // agrees to the wording its screen 1 shows, which must be the new one by then.
      portalMs = await untilShown(p1, 'Weekly offers from the Test Caf', changedAt);
    } finally {
      await db.close();
    }
    assert.equal(await macAuth(p2, a.mac), 3, 'device A is sent to the portal too');

    // The person agrees again, under the new wording, on device A through process 1: their
    // consent now stands for the current wording, so device B (whose refused grant process
    // 2 kept) is let back in. Only the consent changed for B: no grant of B's was written.
    await signUp(p1.url, 'cafe', { ...a, shown: undefined }, outbox);
    const consentedAt = Date.now();
    const consentMs = await until(p2, b.mac, 2, consentedAt);
    assert.equal(await macAuth(p2, a.mac), 2, 'device A by MAC after consenting again');

    assert.ok(wordingMs <= 1500, `new wording reached process 2 in ${wordingMs} ms`);
    assert.ok(portalMs <= 1500, `new wording reached process 1's screen 1 in ${portalMs} ms`);
    assert.ok(consentMs <= 1500, `consent given again reached process 2 in ${consentMs} ms`);
    console.log(
      `      process 2 refused the device ${wordingMs} ms after the wording changed (process 1's screen 1 showed it after ${portalMs} ms), let its twin back in ${consentMs} ms after consent was given again`,
    );
  });
});
