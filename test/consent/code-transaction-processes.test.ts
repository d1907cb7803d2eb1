// The code transaction across processes (issue 18): two Foyer processes on one database
// (one SQLite file, or one PostgreSQL database) take sign-ups of the SAME numbers at once,
// while a third process appends to the ledger through the SMS keyword commands (an opt-in,
// which joins the number to the venue's subjects, and a STOP) for those numbers too, from
// before the first sign-up to after the last. The subject and the ledger head a sign-up
// reads must be the ones it commits over, whichever process wrote last: one subject per
// number, every acknowledged sign-up with its grant and its events on that subject, no
// event lost, and the chain verifies (`foyer ledger verify`).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../portal/store/open.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { findVenueBySlug } from '../../portal/venues/venues.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { scratchDatabase, type Scratch } from '../support/context.ts';
import { eachBackend } from '../support/backends.ts';
import { makeGuests, prepareVenue, signUp, type Guest } from '../support/guest-signup.ts';
import { foyer } from '../support/cli.ts';

const SECRET_KEY = 'code-tx-secret-key-0123456789abcdef012345';
const NUMBERS = 12;

eachBackend('the code transaction across processes', (backend) => {
  let dir: string;
  let dbUrl: string;
  let scratch: Scratch | undefined;
  const procs: FoyerProcess[] = [];
  let appender: ChildProcess | undefined;
  after(async () => {
    appender?.kill('SIGKILL');
    for (const p of procs) await p.kill('SIGKILL');
    await scratch?.remove();
  });

  it(`two Foyer processes sign up the same ${NUMBERS} numbers while a third appends for them: one subject each, nothing lost, the chain verifies`, async function () {
    this.timeout(240_000);
    scratch = await scratchDatabase(backend, 'code-tx');
    ({ dir, dbUrl } = scratch);
    await prepareVenue(dbUrl, { slug: 'codetx', secretKey: SECRET_KEY, nasSecret: 'code-tx-nas-secret' });
    const outboxes = ['a', 'b'].map((name) => join(dir, `outbox-${name}.jsonl`));
    for (const [i, outbox] of outboxes.entries()) {
      const data = join(dir, `data-${i}`);
      mkdirSync(data);
      procs.push(await foyerProcess({ DATABASE_URL: dbUrl, DATA_DIR: data, SECRET_KEY, SMS_OUTBOX: outbox }));
    }
    await Promise.all(procs.map((p) => p.start()));
    const keys = deriveKeys(SECRET_KEY);
    const setup = await openDb(dbUrl);
    const venue = (await findVenueBySlug(setup, 'codetx'))!;
    await setup.close();

    // A third process appends for the same numbers from before the first sign-up to after the last.
    const numbers = makeGuests(NUMBERS, '+3598871').map((g) => g.phone);
    appender = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/consent/code-tx-appender.ts', dbUrl, SECRET_KEY, venue.id, ...numbers],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    appender.stdout!.on('data', (d) => (out += String(d)));
    while (!out.includes('ready')) {
      if (appender.exitCode !== null) throw new Error(`the appender exited: ${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // Each process signs up every number once (its own flows, codes and MACs), four guests at a time.
    const guests = procs.map((_, i) =>
      makeGuests(NUMBERS, '+3598871').map((g): Guest => ({ ...g, mac: g.mac.replace(/^02:00/, `02:0${i + 1}`) })),
    );
    const signUps = procs.map(async (p, i) => {
      const queue = [...guests[i]];
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let g = queue.shift(); g; g = queue.shift()) await signUp(p.url, 'codetx', g, outboxes[i]);
        }),
      );
    });
    await Promise.all(signUps);
    // It appends until the sign-ups are done, whole rounds over the numbers.
    appender.stdin!.end();
    const [code] = (await once(appender, 'exit')) as [number];
    assert.equal(code, 0, out);
    const { appended } = JSON.parse(out.trim().split('\n').at(-1)!) as { appended: number };
    assert.ok(appended >= 2 * NUMBERS, `the appender appended ${appended} events`);

    const db = await openDb(dbUrl);
    try {
      let portalEvents = 0;
      for (const e164 of numbers) {
        const hash = numberHash(keys, e164);
        const subjects = await db.all<{ id: string }>(
          'SELECT id FROM subjects WHERE venue_id = ? AND number_hash = ?',
          [venue.id, hash],
        );
        assert.equal(subjects.length, 1, `${e164}: one subject`);
        const [{ id }] = subjects;
        for (const [i, list] of guests.entries()) {
          const g = list.find((x) => x.phone === e164)!;
          assert.ok(g.shown, `${e164} through process ${i} was acknowledged`);
          const grant = await db.get<{ subject_id: string }>('SELECT subject_id FROM grants WHERE username = ?', [
            g.shown.username,
          ]);
          assert.equal(grant?.subject_id, id, `${e164} through process ${i}: its grant, on the one subject`);
        }
        const portal = await db.all<{ subject_id: string; verification_id: string }>(
          `SELECT subject_id, verification_id FROM consent_events WHERE venue_id = ? AND number_hash = ? AND channel = 'portal'`,
          [venue.id, hash],
        );
        assert.deepEqual([...new Set(portal.map((e) => e.subject_id))], [id], `${e164}: every portal event names it`);
        assert.equal(new Set(portal.map((e) => e.verification_id)).size, 2, `${e164}: the events of both sign-ups`);
        portalEvents += portal.length;
        const joined = await db.all<{ subject_id: string | null }>(
          `SELECT subject_id FROM consent_events WHERE venue_id = ? AND number_hash = ? AND channel = 'sms-keyword' AND decision = 'granted'`,
          [venue.id, hash],
        );
        assert.ok(joined.length >= 1, `${e164}: opted in by keyword`);
        assert.deepEqual(
          [...new Set(joined.map((e) => e.subject_id))],
          [id],
          `${e164}: every keyword opt-in names the same subject`,
        );
      }
      const total = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM consent_events');
      assert.equal(Number(total!.n), portalEvents + appended, 'every event of both processes and the appender');
      assert.deepEqual(await verifyLedger(db, keys), { ok: true, count: portalEvents + appended });
    } finally {
      await db.close();
    }
    const verified = await foyer(['ledger', 'verify'], { DATABASE_URL: dbUrl, SECRET_KEY, DATA_DIR: dir });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  });
});
