// "Nothing acknowledged is lost" at the narrowest point: Foyer (as `npm start` runs it)
// is killed with SIGKILL the moment the first of several answers arrives, while the others
// are still in flight, first for screen 1 submissions (the guest was told a code is on
// its way) and then for code submissions (the guest was handed back, online). Issue 18
// batches writes for speed; an answer sent before its write is durable would show here:
// every submission answered 303 before the kill must be there after the restart, the flow
// whose code page the guest opens, the grant the NAS accepts with its ledger events.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDb } from '../../portal/store/open.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { scratchDatabase, type Scratch } from '../support/context.ts';
import { eachBackend } from '../support/backends.ts';
import { LOGIN_URL, makeGuests, prepareVenue, radiusLogin } from '../support/guest-signup.ts';
import { handBackCredentials } from '../support/hand-back.ts';
import { Browser, formFields } from '../guest/helpers.ts';
import { codesSentTo } from '../security/guest-steps.ts';

const GUESTS = 8;
const ROUNDS = Number(process.env.ACK_KILL_ROUNDS ?? 3);
const SECRET_KEY = 'ack-kill-secret-key-0123456789abcdef0123';
const NAS_SECRET = 'ack-kill-nas-secret';

interface Answer {
  status: number;
  location: string | null;
  html: string;
}

eachBackend('an answer sent, then SIGKILL at once', (backend) => {
  let p: FoyerProcess;
  let scratch: Scratch | undefined;
  after(async () => {
    await p?.kill('SIGKILL');
    await scratch?.remove();
  });

  /**
   * Sends every POST at once; when the first answer's headers arrive, kills Foyer with
   * SIGKILL and starts it again. Each answer is its status (and cookies kept), or
   * undefined when the kill cut it before its headers came (never acknowledged).
   */
  async function raceTheKill(posts: Array<{ b: Browser; path: string; fields: Record<string, string> }>) {
    let killed: Promise<void> | undefined;
    const answers = await Promise.all(
      posts.map(async ({ b, path, fields }): Promise<Answer | undefined> => {
        let r: Response;
        try {
          r = await fetch(b.base + path, {
            method: 'POST',
            redirect: 'manual',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
            },
            body: new URLSearchParams(fields).toString(),
          });
        } catch {
          return undefined;
        }
        killed ??= p.kill('SIGKILL');
        for (const c of r.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const i = pair.indexOf('=');
          b.cookies.set(pair.slice(0, i), pair.slice(i + 1));
        }
        return { status: r.status, location: r.headers.get('location'), html: await r.text().catch(() => '') };
      }),
    );
    await killed;
    await p.start();
    return answers;
  }

  const codeFor = (outbox: string, e164: string) => codesSentTo(outbox, e164).at(-1);

  it(`${ROUNDS} rounds of ${GUESTS} guests: every answered submission is kept`, async function () {
    this.timeout(300_000);
    scratch = await scratchDatabase(backend, 'ack-kill');
    const { dir, dbUrl } = scratch;
    const outbox = join(dir, 'outbox.jsonl');
    await prepareVenue(dbUrl, { slug: 'ack', secretKey: SECRET_KEY, nasSecret: NAS_SECRET });
    p = await foyerProcess({ DATABASE_URL: dbUrl, DATA_DIR: dir, SECRET_KEY, SMS_OUTBOX: outbox });
    await p.start();
    let acknowledgedStarts = 0;
    let acknowledgedGrants = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const guests = makeGuests(GUESTS, `+35988${round}1`).map((g) => ({
        ...g,
        mac: g.mac.replace(/^02:00/, `02:0${round + 1}`),
        b: new Browser(p.url),
      }));
      // Screen 1 submitted by all at once; killed on the first answer.
      const pages = await Promise.all(
        guests.map(async (g) => {
          const r = await g.b.get(
            `/p/ack?mac=${g.mac}&ip=10.7.${round}.${g.n}&nasid=ap-test&login_url=${encodeURIComponent(LOGIN_URL)}`,
          );
          assert.equal(r.status, 200, r.html.slice(0, 300));
          return formFields(r.html, '/start');
        }),
      );
      const started = await raceTheKill(
        guests.map((g, i) => ({
          b: g.b,
          path: '/p/ack/start',
          fields: { ...pages[i], phone: `0${g.phone.slice(4)}`, consent_terms: 'yes' },
        })),
      );
      // Each guest told "code sent" has its code SMS in the message log, logged sent with its
      // attempt (written with no trip of its own, issue 18, but before the answer).
      const log = await openDb(dbUrl);
      try {
        for (const [i, a] of started.entries()) {
          if (a?.status !== 303) continue;
          const sms = await log.all<{ status: string; attempts: number; results: string }>(
            `SELECT m.status, m.attempts, (SELECT COUNT(*) FROM sms_attempts t WHERE t.message_id = m.id AND t.result = 'sent') AS results
             FROM sms_messages m WHERE m.to_hash = ? AND m.purpose = 'code'`,
            [numberHash(deriveKeys(SECRET_KEY), guests[i].phone)],
          );
          assert.deepEqual(
            sms.map((m) => [m.status, Number(m.attempts), Number(m.results)]),
            [['sent', 1, 1]],
            `round ${round}, guest ${i}: told the code was sent, the message log says otherwise`,
          );
        }
      } finally {
        await log.close();
      }
      // Each guest told "code sent" finds the code page after the restart (its flow was kept).
      const onScreen2: Array<{ g: (typeof guests)[number]; fields: Record<string, string> }> = [];
      for (const [i, a] of started.entries()) {
        if (a?.status !== 303) continue;
        acknowledgedStarts++;
        const s2 = await guests[i].b.get(a.location!);
        assert.equal(s2.status, 200, `round ${round}, guest ${i}: told the code was sent, its flow is gone`);
        let code = codeFor(outbox, guests[i].phone);
        let fields = formFields(s2.html, '/code');
        if (!code) {
          // The SMS itself may have been cut with the process: the guest asks for it again.
          const resent = await guests[i].b.post('/p/ack/resend', formFields(s2.html, '/resend'));
          assert.ok(resent.status < 400, `resend: ${resent.status}`);
          fields = formFields((await guests[i].b.get(resent.location ?? a.location!)).html, '/code');
          code = codeFor(outbox, guests[i].phone);
        }
        assert.ok(code, `a code for guest ${i}`);
        onScreen2.push({ g: guests[i], fields: { ...fields, code } });
      }
      assert.ok(onScreen2.length > 0, 'at least the first answer was a 303');

      // The codes submitted by all at once; killed on the first answer.
      const done = await raceTheKill(onScreen2.map(({ g, fields }) => ({ b: g.b, path: '/p/ack/code', fields })));
      const db = await openDb(dbUrl);
      try {
        for (const [i, a] of done.entries()) {
          if (a?.status !== 303) continue;
          acknowledgedGrants++;
          const { g } = onScreen2[i];
          const grant = await db.get<{ username: string; subject_id: string }>(
            `SELECT g.username, g.subject_id FROM grants g JOIN subjects s ON s.id = g.subject_id WHERE s.number_hash = ?`,
            [numberHash(deriveKeys(SECRET_KEY), g.phone)],
          );
          assert.ok(grant, `round ${round}: ${g.phone} was answered 303 after its code, its grant is stored`);
          const terms = await db.get<{ n: number }>(
            `SELECT COUNT(*) AS n FROM consent_events WHERE subject_id = ? AND purpose = 'terms' AND decision = 'granted'`,
            [grant.subject_id],
          );
          assert.equal(Number(terms!.n), 1, 'and its ledger event');
          // The guest follows the answer after the restart: handed back, and the NAS accepts the credentials.
          let r: Answer = a;
          for (let hop = 0; hop < 5 && !handBackCredentials(r, LOGIN_URL) && r.location; hop++)
            r = await g.b.get(r.location.replace(/^https?:\/\/[^/]+/, ''));
          const creds = handBackCredentials(r, LOGIN_URL);
          assert.equal(creds?.username, grant.username, 'the hand-back names the stored grant');
          assert.ok(await radiusLogin(p.authPort, NAS_SECRET, creds!.username, creds!.password, g.mac));
        }
      } finally {
        await db.close();
      }
    }
    assert.ok(acknowledgedStarts >= ROUNDS && acknowledgedGrants >= ROUNDS, 'every round had answers to check');
    console.log(
      `      ${backend}: ${acknowledgedStarts} screen 1 submissions and ${acknowledgedGrants} code submissions answered before a kill, all kept`,
    );
  });
});
