// Sign-ups through TWO Foyer processes on ONE database (a SQLite file, or PostgreSQL),
// while a THIRD process appends to the same ledger the way an operator does (withdrawing
// guests' consent to offers: operator-withdrawals.ts; the CLI has no withdrawal command,
// so the process runs the admin page's command, withdrawByOperator, itself). Issue 18
// reads the ledger head and the subject beside the writer's transaction and batches lone
// writes; a head read in one process while another appends would fork the chain. Every
// guest handed back keeps its grant and events, every withdrawal the operator was told
// is done is in the ledger, and the chain verifies.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../portal/store/open.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { findVenueBySlug } from '../../portal/venues/venues.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { scratchDatabase, type Scratch } from '../support/context.ts';
import { eachBackend } from '../support/backends.ts';
import { Cut, makeGuests, prepareVenue, signUp, type Guest } from '../support/guest-signup.ts';
import { assertLedgerWhole, assertSignupStored } from '../security/guest-steps.ts';

const GUESTS = 80;
const WAVE = 20;
const SECRET_KEY = 'two-procs-one-db-secret-key-0123456789ab';
const OPERATOR = fileURLToPath(new URL('./operator-withdrawals.ts', import.meta.url));

eachBackend('sign-ups from two processes while a third appends to the ledger', (backend) => {
  let dir: string;
  let dbUrl: string;
  let scratch: Scratch | undefined;
  const procs: FoyerProcess[] = [];
  after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await scratch?.remove();
  });

  it(`${GUESTS} guests across two processes, an operator withdrawing meanwhile: nothing acknowledged is missing, the chain verifies`, async function () {
    this.timeout(300_000);
    scratch = await scratchDatabase(backend, 'two-procs');
    ({ dir, dbUrl } = scratch);
    const outbox = join(dir, 'outbox.jsonl');
    await prepareVenue(dbUrl, { slug: 'two', secretKey: SECRET_KEY, nasSecret: 'two-nas-secret' });
    for (let i = 0; i < 2; i++) {
      const p = await foyerProcess({ DATABASE_URL: dbUrl, DATA_DIR: dir, SECRET_KEY, SMS_OUTBOX: outbox });
      await p.start();
      procs.push(p);
    }

    const stop = join(dir, 'stop');
    const operator = spawn(process.execPath, ['--import', 'tsx', OPERATOR, dbUrl, SECRET_KEY, 'two', stop], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let printed = '';
    let errors = '';
    operator.stdout.on('data', (d) => (printed += String(d)));
    operator.stderr.on('data', (d) => (errors += String(d)));
    const exited = new Promise<number | null>((r) => operator.once('exit', r));
    while (!errors.includes('ready')) {
      assert.equal(operator.exitCode, null, `the operator's process: ${errors}`);
      await new Promise((r) => setTimeout(r, 20));
    }

    const guests: Guest[] = makeGuests(GUESTS, '+3598897');
    let cuts = 0;
    const withdrawals = () => printed.split('\n').filter(Boolean).length;
    const until = async (done: () => boolean, what: string) => {
      for (const t0 = Date.now(); !done(); await new Promise((r) => setTimeout(r, 10)))
        assert.ok(Date.now() - t0 < 60_000 && operator.exitCode === null, `${what}: ${errors}`);
    };
    // Half the guests on each process, in waves: each wave starts once the operator is
    // withdrawing the one before, so its appends land among the sign-ups. A guest refused
    // for a moment (a 503 while the other process holds the database) starts again.
    for (let wave = 0; wave * WAVE < GUESTS; wave++) {
      if (wave > 0) await until(() => withdrawals() > (wave - 1) * (WAVE / 2), 'the operator withdraws');
      await Promise.all(
        guests.slice(wave * WAVE, (wave + 1) * WAVE).map(async (g) => {
          for (let tries = 0; !g.shown; tries++) {
            try {
              await signUp(procs[g.n % 2].url, 'two', g, outbox);
            } catch (err) {
              if (!(err instanceof Cut) || tries > 20) throw err;
              cuts++;
              await new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
            }
          }
        }),
      );
    }
    // Every other guest agreed to offers (signUp): the operator withdraws each of them once.
    await until(() => withdrawals() >= GUESTS / 2, 'every consent to offers withdrawn');
    writeFileSync(stop, '');
    assert.equal(await exited, 0, `the operator's process: ${errors}`);
    const withdrawn = printed.split('\n').filter(Boolean);

    const keys = deriveKeys(SECRET_KEY);
    const db = await openDb(dbUrl);
    try {
      const venue = (await findVenueBySlug(db, 'two'))!;
      for (const g of guests) await assertSignupStored(db, keys, venue.id, g.phone, g.shown!.username);
      assert.equal(withdrawn.length, GUESTS / 2, 'one withdrawal per guest who agreed to offers');
      for (const id of withdrawn) {
        const e = await db.get<{ decision: string; channel: string }>(
          'SELECT decision, channel FROM consent_events WHERE id = ?',
          [id],
        );
        assert.deepEqual(
          e,
          { decision: 'withdrawn', channel: 'operator' },
          `the withdrawal ${id} the operator was told of`,
        );
      }
      const count = await assertLedgerWhole(db, keys);
      assert.equal(count, GUESTS * 2 + withdrawn.length, 'two events per sign-up and one per withdrawal, no more');
      console.log(
        `      ${backend}: ${GUESTS} sign-ups over two processes (${cuts} cut and started again), ${withdrawn.length} withdrawals by a third (${errors.replace('ready', '').trim()}), ${count} events verify`,
      );
    } finally {
      await db.close();
    }
  });
});
