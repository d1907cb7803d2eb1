// The code transaction (signup/complete.ts): a correct code, the subject, the ledger events
// and the grant commit together or not at all. Issue 18 cuts the trips that hold SQLite's
// one writer in it (the subject and the ledger head are read beside the writer, the subject
// written with the COMMIT); these pin what must not change with that, in-process over real
// HTTP on both backends: a returning number's subject is reused (erased or not), parallel
// wrong codes never count beyond the code's attempts, and a write that fails at the COMMIT
// (events over a head put back) undoes the whole transaction, the code check included.
// checkCode alone under parallel guesses: test/verification/attempts.test.ts; here through
// the whole transaction, which on PostgreSQL now takes the ledger's lock with each attempt.
// Same-number races across browsers: test/security/same-number-race.test.ts (helper T);
// across processes: test/consent/code-transaction-processes.test.ts.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { eachBackend } from '../support/backends.ts';
import { Browser, formFields, makeVenue, toCodePage } from './helpers.ts';
import type { Venue } from '../../portal/venues/venues.ts';
import { eraseSubject, findSubject, numberHash } from '../../portal/consent/subjects.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';

eachBackend('the code transaction', (backend) => {
  let ctx: TestContext;
  let srv: TestServer;
  let venue: Venue;
  let n = 0;

  beforeEach(async () => {
    ctx = await testContext({ backend });
    venue = await makeVenue(ctx);
    srv = await serve(ctx);
  });
  afterEach(async () => {
    await srv?.close();
    await ctx?.cleanup();
  });

  /** A browser on the code page of a flow of its own for `national`, and the code that flow was sent. */
  async function onCodePage(national: string) {
    n++;
    const b = new Browser(srv.url);
    const mac = `02-00-00-00-0c-${n.toString(16).padStart(2, '0')}`;
    const { e164, code, page, started } = await toCodePage(ctx, b, national, mac, `10.0.2.${n}`);
    const submit = (guess: string) => b.post('/p/cafe/code', { ...formFields(page.html, '/code'), code: guess });
    return { e164, code, submit, flowId: /[?&]f=([0-9a-f-]{36})/.exec(started.location!)?.[1] };
  }

  const count = async (sql: string, params: (string | number)[] = []) =>
    Number((await ctx.db.get<{ n: number }>(sql, params))!.n);

  it('a returning number, its subject erased in between, signs up on the same subject: un-erased, both sign-ups name it', async () => {
    const first = await onCodePage('0887100001');
    assert.equal((await first.submit(first.code)).status, 303);
    const hash = numberHash(ctx.keys, first.e164);
    const subject = (await findSubject(ctx.db, venue.id, hash))!;
    assert.equal(await eraseSubject(ctx.db, subject.id), true);

    const again = await onCodePage('0887100001');
    assert.equal((await again.submit(again.code)).status, 303);
    const after = (await findSubject(ctx.db, venue.id, hash))!;
    assert.equal(after.id, subject.id, 'the same subject');
    assert.equal(after.erased_at, null, 'no longer erased');
    assert.equal(ctx.cipher.decrypt(after.number_enc!), first.e164, 'its number stored again');
    assert.equal(
      await count('SELECT COUNT(*) AS n FROM subjects WHERE venue_id = ? AND number_hash = ?', [venue.id, hash]),
      1,
    );
    const named = await ctx.db.all<{ subject_id: string }>(
      'SELECT DISTINCT subject_id FROM consent_events WHERE number_hash = ?',
      [hash],
    );
    assert.deepEqual(
      named.map((r) => r.subject_id),
      [subject.id],
    );
    assert.equal(await count('SELECT COUNT(*) AS n FROM grants WHERE subject_id = ?', [subject.id]), 2);
    assert.equal(Number(after.last_event_at) >= Number(subject.last_event_at), true, 'its last event moved on');
    assert.deepEqual(await verifyLedger(ctx.db, ctx.keys), { ok: true, count: 6 });
  });

  it('parallel wrong codes for one code count at most its attempts, and the right code after them is refused', async () => {
    const g = await onCodePage('0887100002');
    const wrong = g.code === '000000' ? '111111' : '000000';
    const answers = await Promise.all(Array.from({ length: 12 }, () => g.submit(wrong)));
    const max = venue.settings.code.maxAttempts;
    assert.equal(answers.filter((a) => a.status === 400).length, max - 1, answers.map((a) => a.status).join(' '));
    assert.equal(
      answers.filter((a) => a.status === 429).length,
      12 - (max - 1),
      answers.map((a) => a.status).join(' '),
    );
    const row = await ctx.db.get<{ failures: number; status: string }>(
      'SELECT failures, status FROM verifications WHERE flow_id = ?',
      [g.flowId!],
    );
    assert.equal(Number(row!.failures), max, 'never beyond the attempts');
    assert.equal(row!.status, 'sent');
    assert.equal((await g.submit(g.code)).status, 429, 'the right code, too late');
    assert.equal(await count('SELECT COUNT(*) AS n FROM consent_events'), 0);
    assert.equal(await count('SELECT COUNT(*) AS n FROM subjects'), 0);
    assert.equal(await count('SELECT COUNT(*) AS n FROM grants'), 0);
  });

  it('a code without its submission (sent before submissions were kept) confirms nothing: 410, no subject, event or grant', async () => {
    const g = await onCodePage('0887100006');
    await ctx.db.run('UPDATE verifications SET submission_enc = NULL WHERE flow_id = ?', [g.flowId!]);
    const answer = await g.submit(g.code);
    assert.equal(answer.status, 410, answer.html);
    for (const table of ['consent_events', 'subjects', 'grants'])
      assert.equal(await count(`SELECT COUNT(*) AS n FROM ${table}`), 0, table);
    const flow = await ctx.db.get<{ state: string }>('SELECT state FROM guest_flows WHERE id = ?', [g.flowId!]);
    assert.equal(flow!.state, 'code_sent');
  });

  it('a write failing at the COMMIT (events over a head put back) undoes it all, the code check too; the code works once the head is right', async () => {
    const a = await onCodePage('0887100003');
    assert.equal((await a.submit(a.code)).status, 303);
    const HEAD = 'SELECT seq, hash, count, at, v2_from, mac FROM ledger_head WHERE id = 1';
    const earlier = (await ctx.db.get<Record<string, string | number | null>>(HEAD))!;
    const b = await onCodePage('0887100004');
    assert.equal((await b.submit(b.code)).status, 303);
    const latest = (await ctx.db.get<Record<string, string | number | null>>(HEAD))!;
    const putHead = (h: Record<string, string | number | null>) =>
      ctx.db.run('UPDATE ledger_head SET seq = ?, hash = ?, count = ?, at = ?, v2_from = ?, mac = ? WHERE id = 1', [
        h.seq,
        h.hash,
        h.count,
        h.at,
        h.v2_from,
        h.mac,
      ]);
    const c = await onCodePage('0887100005');
    const rows = async () =>
      Promise.all(
        ['consent_events', 'consent_state', 'subjects', 'grants'].map((t) => count(`SELECT COUNT(*) AS n FROM ${t}`)),
      );
    const before = await rows();
    await putHead(earlier);
    const refused = await c.submit(c.code);
    assert.ok(refused.status >= 500, `refused, not acknowledged: ${refused.status}`);
    assert.deepEqual(await rows(), before, 'no event, consent state, subject or grant');
    const v = await ctx.db.get<{ status: string; failures: number }>(
      'SELECT status, failures FROM verifications WHERE flow_id = ?',
      [c.flowId!],
    );
    assert.deepEqual({ ...v, failures: Number(v!.failures) }, { status: 'sent', failures: 0 }, 'the code is unused');
    const flow = await ctx.db.get<{ state: string }>('SELECT state FROM guest_flows WHERE id = ?', [c.flowId!]);
    assert.equal(flow!.state, 'code_sent');

    await putHead(latest);
    assert.equal((await c.submit(c.code)).status, 303);
    assert.deepEqual(await verifyLedger(ctx.db, ctx.keys), { ok: true, count: 9 });
  });

  it('the right code sent six times at once signs up once: one grant, one set of events, no other answer a sign-up', async () => {
    // On SQLite, from the second sign-up on, a right code is used with the COMMIT on the head
    // this process last wrote (signup/complete.ts): only the code's use, required to change
    // its row, keeps the others from signing up again on the head the first one left.
    const warm = await onCodePage('0887100007');
    assert.equal((await warm.submit(warm.code)).status, 303);
    const g = await onCodePage('0887100008');
    const answers = await Promise.all(Array.from({ length: 6 }, () => g.submit(g.code)));
    const grants = await count('SELECT COUNT(*) AS n FROM grants');
    assert.equal(grants, 2, answers.map((a) => a.status).join(' '));
    assert.equal(
      await count(
        'SELECT COUNT(*) AS n FROM consent_events WHERE verification_id = (SELECT id FROM verifications WHERE flow_id = ?)',
        [g.flowId!],
      ),
      3,
    );
    assert.ok(
      answers.some((a) => a.status === 303 && /\/online\?/.test(a.location ?? '')),
      'one signed up',
    );
    assert.deepEqual(await verifyLedger(ctx.db, ctx.keys), { ok: true, count: 6 });
  });

  it('a head whose seal was changed is appended to by no sign-up, and stays as it was found', async () => {
    const a = await onCodePage('0887100009');
    assert.equal((await a.submit(a.code)).status, 303);
    const HEAD = 'SELECT seq, hash, count, at, v2_from, mac FROM ledger_head WHERE id = 1';
    await ctx.db.run(`UPDATE ledger_head SET mac = ? WHERE id = 1`, ['0'.repeat(64)]);
    const found = await ctx.db.get(HEAD);
    const b = await onCodePage('0887100010');
    const refused = await b.submit(b.code);
    assert.ok(refused.status >= 500, `refused, not acknowledged: ${refused.status}`);
    assert.deepEqual(await ctx.db.get(HEAD), found, 'the tampered head is kept for `ledger verify` to report');
    assert.equal(await count('SELECT COUNT(*) AS n FROM consent_events'), 3);
    assert.equal(await count('SELECT COUNT(*) AS n FROM grants'), 1);
  });
});
