// What a screen 1 submission leaves in the database, however few trips it takes (issue 18
// writes the flow row with the code's transaction and the SMS result with no trip of its
// own): a guest told "code sent" has a flow that its browser finds again (the code page,
// and screen 1 from the NAS redirect resuming it), and a message log that shows every
// attempt; a send that fails leaves no flow, its code and send marked failed, and each of
// its attempts logged.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { eachBackend } from '../support/backends.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { SmsError, type SmsGateway } from '../../portal/sms/gateway.ts';
import { Browser, formFields, makeVenue } from './helpers.ts';

eachBackend('what a screen 1 submission leaves behind', (backend) => {
  let ctx: TestContext;
  let srv: TestServer;
  let send: SmsGateway['send'];
  before(async () => {
    ctx = await testContext({ backend });
    await makeVenue(ctx);
    srv = await serve(ctx);
    send = ctx.sms.raw.send.bind(ctx.sms.raw);
  });
  afterEach(() => {
    ctx.sms.raw.send = send;
  });
  after(async () => {
    await srv?.close();
    await ctx?.cleanup();
  });

  const entry = (n: number) => `/p/cafe?mac=02-CE-00-00-00-${String(n).padStart(2, '0')}&nas=ap-lobby`;
  async function start(b: Browser, n: number, phone: string) {
    const page = await b.get(entry(n));
    assert.equal(page.status, 200, page.html);
    return b.post('/p/cafe/start', { ...formFields(page.html, '/start'), phone, consent_terms: 'yes' });
  }
  const e164 = (national: string) => `+359${national.slice(1)}`;
  /** The code messages to a number: status, attempts counted, and each attempt's result in order. */
  async function messages(national: string) {
    const rows = await ctx.db.all<{ id: string; status: string; attempts: number }>(
      `SELECT id, status, attempts FROM sms_messages WHERE to_hash = ? AND purpose = 'code' ORDER BY created_at`,
      [numberHash(ctx.keys, e164(national))],
    );
    return Promise.all(
      rows.map(async (m) => ({
        status: m.status,
        attempts: Number(m.attempts),
        results: (
          await ctx.db.all<{ result: string }>(
            'SELECT result FROM sms_attempts WHERE message_id = ? ORDER BY attempt',
            [m.id],
          )
        ).map((a) => a.result),
      })),
    );
  }
  const count = async (table: string) =>
    Number((await ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);

  it('a code that went out on its second attempt: the flow is kept and resumed, both attempts are logged', async () => {
    let calls = 0;
    ctx.sms.raw.send = async (msg, opts) => {
      if (++calls === 1) throw new SmsError('sms_failed', 'gateway busy', true);
      return send(msg, opts);
    };
    const b = new Browser(srv.url);
    const r = await start(b, 1, '0887100001');
    assert.equal(r.status, 303, r.html);
    const flow = new URL(r.location!, srv.url).searchParams.get('f')!;
    const row = await ctx.db.get<{ state: string; verification_id: string }>(
      'SELECT state, verification_id FROM guest_flows WHERE id = ?',
      [flow],
    );
    assert.equal(row?.state, 'code_sent');
    const v = await ctx.db.get<{ status: string }>('SELECT status FROM verifications WHERE id = ?', [
      row!.verification_id,
    ]);
    assert.equal(v?.status, 'sent');
    assert.deepEqual(await messages('0887100001'), [{ status: 'sent', attempts: 2, results: ['transient', 'sent'] }]);
    assert.equal((await b.get(r.location!)).status, 200, 'the code page');
    // The mini-browser closed; the phone comes back through the NAS redirect: its flow resumes at the code.
    const back = await b.get(entry(1));
    assert.equal(back.status, 303, back.html);
    assert.match(back.location!, new RegExp(`/p/cafe/code\\?f=${flow}`));
  });

  it('a send that fails: no flow, the code and its send marked failed, every attempt logged', async () => {
    ctx.sms.raw.send = async () => {
      throw new SmsError('sms_rejected', 'unknown subscriber', false);
    };
    const flowsBefore = await count('guest_flows');
    const r = await start(new Browser(srv.url), 2, '0887100002');
    assert.equal(r.status, 503, r.html);
    assert.equal(await count('guest_flows'), flowsBefore, 'a refused send changes nothing: no flow');
    const hash = numberHash(ctx.keys, e164('0887100002'));
    const codes = await ctx.db.all<{ status: string }>('SELECT status FROM verifications WHERE number_hash = ?', [
      hash,
    ]);
    assert.deepEqual(
      codes.map((c) => c.status),
      ['failed'],
    );
    const sends = await ctx.db.all<{ status: string }>('SELECT status FROM verification_sends WHERE number_hash = ?', [
      hash,
    ]);
    assert.deepEqual(
      sends.map((s) => s.status),
      ['failed'],
    );
    assert.deepEqual(await messages('0887100002'), [{ status: 'failed', attempts: 1, results: ['permanent'] }]);
  });

  it('a flow whose code is still on its way is nobody’s: its page id opens nothing, another submit gets its own', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    ctx.sms.raw.send = async (msg, opts) => {
      await held;
      return send(msg, opts);
    };
    const b = new Browser(srv.url);
    const page = await b.get(entry(5));
    const fields: Record<string, string> = { ...formFields(page.html, '/start'), consent_terms: 'yes' };
    const first = b.post('/p/cafe/start', { ...fields, phone: '0887100005' });
    // The flow's row is written with its code, before the send (flows.ts createFlowIn).
    for (let i = 0; i < 100 && !(await ctx.db.get('SELECT 1 FROM guest_flows WHERE id = ?', [fields.f])); i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.ok(await ctx.db.get('SELECT 1 FROM guest_flows WHERE id = ?', [fields.f]), 'written before the send');
    assert.equal((await b.get(`/p/cafe/code?f=${fields.f}`)).status, 410, 'the browser holds no cookie for it yet');
    assert.equal((await new Browser(srv.url).get(`/p/cafe/code?f=${fields.f}`)).status, 410);
    ctx.sms.raw.send = send;
    const other = await new Browser(srv.url).post('/p/cafe/start', { ...fields, phone: '0887100006' });
    assert.equal(other.status, 303, other.html);
    assert.notEqual(new URL(other.location!, srv.url).searchParams.get('f'), fields.f, 'a flow of its own');
    release();
    const r = await first;
    assert.equal(r.status, 303, r.html);
    assert.equal(new URL(r.location!, srv.url).searchParams.get('f'), fields.f);
    assert.equal((await b.get(r.location!)).status, 200, 'its own once the code went out');
  });

  it('the same page submitted twice at once without a cookie: two flows, each with its own code', async () => {
    const page = await new Browser(srv.url).get(entry(3));
    const fields: Record<string, string> = { ...formFields(page.html, '/start'), consent_terms: 'yes' };
    const [a, b] = [new Browser(srv.url), new Browser(srv.url)];
    const [ra, rb] = await Promise.all([
      a.post('/p/cafe/start', { ...fields, phone: '0887100003' }),
      b.post('/p/cafe/start', { ...fields, phone: '0887100004' }),
    ]);
    assert.equal(ra.status, 303, ra.html);
    assert.equal(rb.status, 303, rb.html);
    const ids = [ra, rb].map((r) => new URL(r.location!, srv.url).searchParams.get('f')!);
    assert.notEqual(ids[0], ids[1]);
    assert.ok(ids.includes(fields.f), 'one of them keeps the page id');
    // Each flow's code is the one sent to its own number, and names that flow.
    for (const [i, national] of ['0887100003', '0887100004'].entries()) {
      const v = await ctx.db.get<{ flow_id: string; number_hash: string }>(
        'SELECT v.flow_id, v.number_hash FROM guest_flows f JOIN verifications v ON v.id = f.verification_id WHERE f.id = ?',
        [ids[i]],
      );
      assert.equal(v?.number_hash, numberHash(ctx.keys, e164(national)));
      assert.equal(v?.flow_id, ids[i], "the code names its own flow, not the page's");
    }
    assert.equal((await a.get(ra.location!)).status, 200);
    assert.equal((await b.get(rb.location!)).status, 200);
  });
});
