// SIGKILL in the middle of a sign-up load, several times: where ack-then-kill.test.ts kills
// on the first answer of one batch, this kills while guests keep coming, so the writer's
// queue is full and answers leave while other writes wait behind them (issue 18 makes lone
// writes ride on the writer's next exec: a write that was still waiting when its answer
// left would be lost here). Every guest who saw the code page (its screen 1 answered 303)
// has its flow row and the record of its code SMS, marked sent; every guest who was handed
// back (online) has its grant and its ledger events; the chain verifies after the restarts.
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
} from '../security/guest-steps.ts';

const GUESTS = 16;
const KILLS = Number(process.env.KILL_LOAD_KILLS ?? 3);
const SECRET_KEY = 'kill-under-load-secret-key-0123456789abcd';

eachBackend('SIGKILL under a sign-up load', (backend) => {
  let p: FoyerProcess;
  let scratch: Scratch | undefined;
  after(async () => {
    await p?.kill('SIGKILL');
    await scratch?.remove();
  });

  it(`${GUESTS} guests signing up without pause, ${KILLS} kills: every answer the guests saw is kept`, async function () {
    this.timeout(300_000);
    scratch = await scratchDatabase(backend, 'kill-load');
    const { dir, dbUrl } = scratch;
    const outbox = join(dir, 'outbox.jsonl');
    await prepareVenue(dbUrl, { slug: 'load', secretKey: SECRET_KEY, nasSecret: 'load-nas-secret' });
    p = await foyerProcess({ DATABASE_URL: dbUrl, DATA_DIR: dir, SECRET_KEY, SMS_OUTBOX: outbox });
    await p.start();

    // What the guests were shown: the code page (a flow) and the online page (a grant).
    const codePages: Array<{ flowId: string; e164: string }> = [];
    const online: Array<{ e164: string; username: string }> = [];
    let cut = 0;
    let loading = true;
    let serial = 0;
    // The kill is armed for the next answer of one kind, and sent the moment that answer
    // arrives: the writes behind it, and the other guests' answers, are still in flight.
    let armed: 'code page' | 'online' | undefined;
    let restarted: Promise<void> | undefined;
    const acknowledged = (kind: 'code page' | 'online') => {
      if (armed !== kind) return;
      armed = undefined;
      restarted = p.kill('SIGKILL').then(() => p.start());
    };

    /** One sign-up, each step answered or cut by a kill (a cut guest starts a new one). */
    async function oneSignUp(g: number): Promise<void> {
      const n = serial++;
      const e164 = `+359886${String(n).padStart(6, '0')}`;
      const b = new Browser(p.url);
      const started = await submitStart(
        b,
        'load',
        await screen1(b, 'load', macFor(0x6b, n), `10.8.${g}.1`),
        e164,
        n % 2 === 1,
      );
      if (!started.flowId) throw new Error(`screen 1: ${started.answer.status}`);
      acknowledged('code page');
      codePages.push({ flowId: started.flowId, e164 });
      const code = codesSentTo(outbox, e164).at(-1);
      if (!code) throw new Error('no code in the outbox');
      const done = await submitCode(b, 'load', await codeForm(b, 'load', started.flowId), code);
      if (!done.creds) throw new Error(`code: ${done.answer.status}`);
      acknowledged('online');
      online.push({ e164, username: done.creds.username });
    }

    const guest = async (g: number) => {
      while (loading) {
        try {
          await oneSignUp(g);
        } catch {
          // Cut by a kill (a refused connection, a page of a process that is gone, a 503 while
          // it starts): not acknowledged, nothing to keep; the guest tries again in a moment.
          cut++;
          await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
        }
      }
    };
    const load = Array.from({ length: GUESTS }, (_, g) => guest(g));
    for (let k = 0; k < KILLS; k++) {
      // Armed once the load has run a while since the last restart.
      const due = online.length + 20 + Math.floor(Math.random() * 30);
      while (online.length < due) await new Promise((r) => setTimeout(r, 5));
      restarted = undefined;
      armed = k % 2 ? 'online' : 'code page';
      while (!restarted) await new Promise((r) => setTimeout(r, 1));
      await restarted;
    }
    loading = false;
    await Promise.all(load);
    await p.kill('SIGKILL');

    const keys = deriveKeys(SECRET_KEY);
    const db = await openDb(dbUrl);
    try {
      const venue = (await findVenueBySlug(db, 'load'))!;
      for (const { flowId, e164 } of codePages) {
        const flow = await db.get<{ verification_id: string }>('SELECT verification_id FROM guest_flows WHERE id = ?', [
          flowId,
        ]);
        assert.ok(flow, `${e164} saw the code page of flow ${flowId}: the flow is stored`);
        assert.ok(
          await db.get('SELECT 1 AS hit FROM verifications WHERE id = ?', [flow.verification_id]),
          `and its code`,
        );
        const sms = await db.all<{ status: string; attempts: number }>(
          `SELECT status, attempts FROM sms_messages WHERE to_hash = ? AND purpose = 'code'`,
          [numberHash(keys, e164)],
        );
        assert.equal(sms.length, 1, `${e164} saw the code page: the record of its code SMS is stored`);
        assert.deepEqual(
          [sms[0].status, Number(sms[0].attempts)],
          ['sent', 1],
          `${e164}: the SMS is recorded as sent, as the guest was told`,
        );
      }
      for (const { e164, username } of online) await assertSignupStored(db, keys, venue.id, e164, username);
      const events = await assertLedgerWhole(db, keys);
      assert.ok(online.length >= KILLS * 20, `the load ran between the kills (${online.length} online)`);
      console.log(
        `      ${backend}: ${codePages.length} code pages and ${online.length} online pages seen across ${KILLS} kills (${cut} steps cut), all kept; ${events} events verify`,
      );
    } finally {
      await db.close();
    }
  });
});
