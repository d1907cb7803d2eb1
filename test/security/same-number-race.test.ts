// One number signed up at one venue from several browsers at the same moment: two guests
// sharing a phone, or one attacker racing a victim's sign-up. Issue 18 reads the subject
// and the ledger head beside the writer's transaction and defers the subject's upsert;
// a read that goes stale between two sign-ups of one number would show here as a second
// subject, an event on a subject that was never stored, a grant without its events, a
// 5xx, or a chain that no longer verifies. The completions of each number are fired at
// once (and a code submitted twice at once, a double tap), on both backends.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDb } from '../../portal/store/open.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { findVenueBySlug } from '../../portal/venues/venues.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { scratchDatabase, type Scratch } from '../support/context.ts';
import { eachBackend } from '../support/backends.ts';
import { prepareVenue } from '../support/guest-signup.ts';
import { Browser } from '../guest/helpers.ts';
import {
  assertLedgerWhole,
  assertSignupStored,
  codeForm,
  codesSentTo,
  macFor,
  screen1,
  submitCode,
  submitStart,
} from './guest-steps.ts';

const SECRET_KEY = 'same-number-secret-key-0123456789abcdef01';
const NUMBERS = 8;
const BROWSERS = 3;

eachBackend('one number signed up from several browsers at once', (backend) => {
  let dir: string;
  let p: FoyerProcess;
  let dbUrl: string;
  let scratch: Scratch | undefined;
  let outbox: string;
  const keys = deriveKeys(SECRET_KEY);

  before(async function () {
    this.timeout(90_000);
    scratch = await scratchDatabase(backend, 'same-number');
    ({ dir, dbUrl } = scratch);
    outbox = join(dir, 'outbox.jsonl');
    await prepareVenue(dbUrl, { slug: 'race', secretKey: SECRET_KEY, nasSecret: 'race-nas-secret' });
    p = await foyerProcess({ DATABASE_URL: dbUrl, DATA_DIR: dir, SECRET_KEY, SMS_OUTBOX: outbox });
    await p.start();
  });
  after(async () => {
    await p?.kill('SIGKILL');
    await scratch?.remove();
  });

  /** A browser on the code page of its own flow for `e164`, with the code that flow was sent. */
  async function onCodePage(e164: string, n: number) {
    const b = new Browser(p.url);
    const fields = await screen1(b, 'race', macFor(0x5a, n), `10.5.0.${n}`);
    const before = codesSentTo(outbox, e164).length;
    const { answer, flowId } = await submitStart(b, 'race', fields, e164, n % 2 === 1);
    assert.ok(flowId, `screen 1 for ${e164}: ${answer.status} ${answer.html.slice(0, 200)}`);
    const codes = codesSentTo(outbox, e164);
    assert.equal(codes.length, before + 1, 'one code went out for this flow');
    return { b, flowId, code: codes.at(-1)!, form: await codeForm(b, 'race', flowId) };
  }

  it(`${NUMBERS} numbers, each completed from ${BROWSERS} browsers at once: one subject each, every answer kept, the chain verifies`, async function () {
    this.timeout(120_000);
    const numbers = Array.from({ length: NUMBERS }, (_, i) => `+35988955${String(i).padStart(4, '0')}`);
    // The codes are sent one browser at a time per number (so each browser knows its own
    // code); the completions, where the subject and the ledger are written, race.
    const flows: Array<Awaited<ReturnType<typeof onCodePage>> & { e164: string }> = [];
    for (let k = 0; k < BROWSERS; k++)
      flows.push(
        ...(await Promise.all(
          numbers.map(async (e164, i) => ({ e164, ...(await onCodePage(e164, k * NUMBERS + i + 1)) })),
        )),
      );
    const done = await Promise.all(flows.map((f) => submitCode(f.b, 'race', f.form, f.code)));
    for (const [i, d] of done.entries())
      assert.ok(
        d.creds,
        `browser ${i} (${flows[i].e164}) was handed back: ${d.answer.status} ${d.answer.html.slice(0, 200)}`,
      );

    const db = await openDb(dbUrl);
    try {
      const venue = (await findVenueBySlug(db, 'race'))!;
      for (const e164 of numbers) {
        const mine = done.filter((_, i) => flows[i].e164 === e164);
        const subjectIds = new Set<string>();
        for (const d of mine) subjectIds.add(await assertSignupStored(db, keys, venue.id, e164, d.creds!.username));
        assert.equal(subjectIds.size, 1, `every sign-up of ${e164} is on its one subject`);
        // Each acknowledged sign-up has its own grant and its own events (one code, one sign-up).
        const grants = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM grants WHERE subject_id = ?', [
          [...subjectIds][0],
        ]);
        assert.equal(Number(grants!.n), BROWSERS, `${e164}: one grant per browser`);
        const signups = await db.get<{ n: number }>(
          `SELECT COUNT(DISTINCT verification_id) AS n FROM consent_events WHERE venue_id = ? AND number_hash = ? AND purpose = 'terms' AND decision = 'granted'`,
          [venue.id, numberHash(keys, e164)],
        );
        assert.equal(Number(signups!.n), BROWSERS, `${e164}: the terms event of each sign-up, by its own code`);
      }
      const events = await assertLedgerWhole(db, keys);
      assert.equal(events, NUMBERS * BROWSERS * 2, 'terms and SMS offers, one event each per sign-up');
    } finally {
      await db.close();
    }
  });

  it('the same code submitted twice at once (a double tap) makes one sign-up, and both answers hand back the same grant', async function () {
    this.timeout(60_000);
    const e164 = '+359889560001';
    const f = await onCodePage(e164, 200);
    const twice = await Promise.all([0, 1].map(() => submitCode(f.b, 'race', f.form, f.code)));
    for (const t of twice) assert.ok(t.answer.status < 500, `no 5xx: ${t.answer.status}`);
    const handed = twice.flatMap((t) => (t.creds ? [t.creds.username] : []));
    assert.ok(handed.length >= 1, `at least one answer hands back: ${twice.map((t) => t.answer.status)}`);
    assert.equal(new Set(handed).size, 1, 'never two grants for one code');
    const db = await openDb(dbUrl);
    try {
      const venue = (await findVenueBySlug(db, 'race'))!;
      const subjectId = await assertSignupStored(db, keys, venue.id, e164, handed[0]);
      const grants = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM grants WHERE subject_id = ?', [subjectId]);
      assert.equal(Number(grants!.n), 1, 'one grant');
      const terms = await db.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM consent_events WHERE subject_id = ? AND purpose = 'terms'`,
        [subjectId],
      );
      assert.equal(Number(terms!.n), 1, 'one terms event');
      await assertLedgerWhole(db, keys);
    } finally {
      await db.close();
    }
  });
});
