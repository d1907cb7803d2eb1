// Issue 8: Foyer under 200 concurrent sign-ups through the real HTTP flow and the real
// RADIUS port, killed with SIGKILL at random moments and restarted, must keep every
// promise: each guest shown the hand-back has a grant and its ledger events, no grant
// lacks its events, no Access-Accept names a grant that is not stored, the ledger
// verifies, and a guest whose flow was cut simply starts again.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDb } from '../../portal/store/open.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { scratchDatabase, type Scratch } from '../support/context.ts';
import { eachBackend } from '../support/backends.ts';
import { Cut, makeGuests, prepareVenue, radiusLogin, signUp, type Guest } from '../support/guest-signup.ts';

const GUESTS = Number(process.env.CRASH_GUESTS ?? 200);
const KILLS = Number(process.env.CRASH_KILLS ?? 4);
const SECRET_KEY = 'crash-test-secret-key-0123456789abcdef';
const NAS_SECRET = 'crash-nas-secret';

eachBackend('crash safety under SIGKILL', (backend) => {
  let dir: string;
  let p: FoyerProcess;
  let dbUrl: string;
  let scratch: Scratch | undefined;
  after(async () => {
    await p?.kill('SIGKILL');
    await scratch?.remove();
  });

  it(`${GUESTS} guests, ${KILLS} kills: every promise kept`, async function () {
    this.timeout(600_000);
    scratch = await scratchDatabase(backend, 'crash');
    ({ dir, dbUrl } = scratch);
    const outbox = join(dir, 'outbox.jsonl');

    await prepareVenue(dbUrl, { slug: 'crash', secretKey: SECRET_KEY, nasSecret: NAS_SECRET });

    p = await foyerProcess({ DATABASE_URL: dbUrl, DATA_DIR: dir, SECRET_KEY, SMS_OUTBOX: outbox });
    await p.start();

    const guests: Guest[] = makeGuests(GUESTS);

    const run = async (g: Guest) => {
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        try {
          if (!g.shown) await signUp(p.url, 'crash', g, outbox);
          if (await radiusLogin(p.authPort, NAS_SECRET, g.shown!.username, g.shown!.password, g.mac)) {
            g.accepted = g.shown!.username;
            return;
          }
          throw new Cut('Access-Request not accepted');
        } catch (err) {
          if (!(err instanceof Cut)) throw err;
          if (process.env.CRASH_DEBUG) console.error(`guest ${g.n}: ${(err as Error).message}`);
          g.cuts++;
          await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
        }
      }
    };

    // Each kill lands while guests are still signing up: after a random share of them
    // reached the hand-back. (A fixed delay can fall after the last page on a fast machine,
    // and a count of guests online can lag behind, leaving only RADIUS retransmissions,
    // which ride out a restart, in flight.)
    const killer = (async () => {
      for (let k = 0; k < KILLS; k++) {
        const due = Math.floor(((k + Math.random()) / (KILLS + 1)) * GUESTS);
        while (guests.filter((g) => g.shown).length < due) await new Promise((r) => setTimeout(r, 20));
        await p.kill('SIGKILL');
        if (process.env.CRASH_DEBUG) console.error(`kill ${k + 1}`);
        await new Promise((r) => setTimeout(r, 200));
        const t0 = Date.now();
        await p.start();
        if (process.env.CRASH_DEBUG) console.error(`restart ${k + 1} took ${Date.now() - t0} ms`);
      }
    })();
    await Promise.all([...guests.map(run), killer]);

    // Everyone got through in the end, and some of them only by starting again.
    assert.deepEqual(
      guests.filter((g) => !g.accepted).map((g) => g.n),
      [],
      'every guest got online',
    );
    assert.ok(
      guests.some((g) => g.cuts > 0),
      'the kills cut some flows',
    );

    const db = await openDb(dbUrl);
    try {
      const grants = new Map(
        (await db.all<{ username: string; subject_id: string }>('SELECT username, subject_id FROM grants')).map((r) => [
          r.username,
          r.subject_id,
        ]),
      );
      const numbers = new Map(
        (await db.all<{ id: string; number_hash: string }>('SELECT id, number_hash FROM subjects')).map((r) => [
          r.id,
          r.number_hash,
        ]),
      );
      for (const g of guests) {
        assert.ok(grants.has(g.shown!.username), `guest ${g.n} was shown the hand-back, so its grant is stored`);
        // A flow resumed after a kill must not hand one guest another guest's grant.
        assert.equal(
          numbers.get(grants.get(g.accepted!)!),
          numberHash(deriveKeys(SECRET_KEY), g.phone),
          `the Access-Accept for guest ${g.n} names a grant of the guest's own number`,
        );
        const events = await db.all<{ purpose: string }>('SELECT purpose FROM consent_events WHERE subject_id = ?', [
          grants.get(g.shown!.username)!,
        ]);
        assert.ok(
          events.some((e) => e.purpose === 'terms'),
          `guest ${g.n}'s grant rests on ledger events`,
        );
      }
      const orphans = await db.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM grants g WHERE NOT EXISTS
           (SELECT 1 FROM consent_events e WHERE e.subject_id = g.subject_id AND e.venue_id = g.venue_id AND e.purpose = 'terms' AND e.decision = 'granted')`,
      );
      assert.equal(Number(orphans!.n), 0, 'no grant without its ledger events');
      const v = await verifyLedger(db, deriveKeys(SECRET_KEY));
      assert.equal(v.ok, true, JSON.stringify(v));
      console.log(
        `      ${backend}: ${GUESTS} guests, ${KILLS} kills, ${guests.filter((g) => g.cuts > 0).length} guests cut and started again (${guests.reduce((s, g) => s + g.cuts, 0)} failed tries), ${v.count} ledger events, ${grants.size} grants`,
      );
    } finally {
      await db.close();
    }
  });
});
