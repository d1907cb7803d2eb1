// Guessing a code by brute force in parallel: an attacker holding a flow's cookie fires
// many wrong codes at once, half at each of two Foyer processes on one database (SQLite
// file or PostgreSQL), to outrun the attempt count. Issue 18 moves the code check inside
// a reshaped transaction; the count must still be one conditional write per guess. No
// more guesses than max_attempts are compared, no answer is a 5xx, and the right code,
// sent afterwards, is refused: no grant, no ledger event.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDb } from '../../portal/store/open.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { scratchDatabase, type Scratch } from '../support/context.ts';
import { eachBackend } from '../support/backends.ts';
import { prepareVenue } from '../support/guest-signup.ts';
import { Browser } from '../guest/helpers.ts';
import { codeForm, codesSentTo, sameBrowserAt, screen1, submitCode, submitStart } from './guest-steps.ts';

const SECRET_KEY = 'code-guessing-secret-key-0123456789abcdef';
const GUESSES = 60;

eachBackend('wrong codes fired in parallel at two processes', (backend) => {
  let dir: string;
  let dbUrl: string;
  let scratch: Scratch | undefined;
  let outbox: string;
  const procs: FoyerProcess[] = [];

  before(async function () {
    this.timeout(90_000);
    scratch = await scratchDatabase(backend, 'guessing');
    ({ dir, dbUrl } = scratch);
    outbox = join(dir, 'outbox.jsonl');
    await prepareVenue(dbUrl, { slug: 'guess', secretKey: SECRET_KEY, nasSecret: 'guess-nas-secret' });
    for (let i = 0; i < 2; i++) {
      const p = await foyerProcess({ DATABASE_URL: dbUrl, DATA_DIR: dir, SECRET_KEY, SMS_OUTBOX: outbox });
      await p.start();
      procs.push(p);
    }
  });
  after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await scratch?.remove();
  });

  it(`${GUESSES} wrong codes at once compare at most max_attempts; the right code afterwards is refused`, async function () {
    this.timeout(60_000);
    const e164 = '+359889570001';
    const b = new Browser(procs[0].url);
    const { flowId } = await submitStart(b, 'guess', await screen1(b, 'guess', '02:5b:00:00:00:01', '10.6.0.1'), e164);
    assert.ok(flowId, 'the code was sent');
    const form = await codeForm(b, 'guess', flowId);
    const right = codesSentTo(outbox, e164).at(-1)!;
    // Distinct wrong codes, none of them the right one.
    const wrong = Array.from({ length: GUESSES }, (_, i) =>
      String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0'),
    );
    const at = [b, sameBrowserAt(b, procs[1].url)];
    const answers = await Promise.all(wrong.map((w, i) => submitCode(at[i % 2], 'guess', form, w)));
    assert.deepEqual(
      answers.filter((a) => a.answer.status >= 500 || a.creds).map((a) => a.answer.status),
      [],
      'no 5xx, and no wrong code handed anyone back',
    );

    const db = await openDb(dbUrl);
    try {
      const v = await db.get<{ failures: number; max_attempts: number; status: string }>(
        'SELECT v.failures, v.max_attempts, v.status FROM verifications v JOIN guest_flows f ON f.verification_id = v.id WHERE f.id = ?',
        [flowId],
      );
      assert.ok(v, 'the verification of the flow');
      assert.equal(Number(v.max_attempts), 5, 'the default this is about');
      assert.equal(Number(v.failures), Number(v.max_attempts), `wrong guesses compared: ${v.failures}`);

      const late = await submitCode(at[1], 'guess', form, right);
      assert.equal(late.creds, undefined, 'the right code after the attempts are spent hands nobody back');
      assert.ok(late.answer.status < 500, `no 5xx: ${late.answer.status}`);
      const after = await db.get<{ failures: number; status: string }>(
        'SELECT failures, status FROM verifications v JOIN guest_flows f ON f.verification_id = v.id WHERE f.id = ?',
        [flowId],
      );
      assert.deepEqual([Number(after!.failures), after!.status], [5, 'sent'], 'not compared, not used');
      const hash = numberHash(deriveKeys(SECRET_KEY), e164);
      const stored = await db.get<{ events: number; subjects: number; grants: number }>(
        `SELECT (SELECT COUNT(*) FROM consent_events WHERE number_hash = ?) AS events,
                (SELECT COUNT(*) FROM subjects WHERE number_hash = ?) AS subjects,
                (SELECT COUNT(*) FROM grants) AS grants`,
        [hash, hash],
      );
      assert.deepEqual(
        [Number(stored!.events), Number(stored!.subjects), Number(stored!.grants)],
        [0, 0, 0],
        'no event, subject or grant',
      );
    } finally {
      await db.close();
    }
  });
});
