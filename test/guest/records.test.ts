// After the flow: the evidence command reproduces screen 1 byte for byte; the purge job
// removes expired codes and abandoned flows; a failing gateway is told to the guest and
// counts nothing; the venue's optional fields.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { foyer } from '../support/cli.ts';
import { purgeVerificationsJob } from '../../portal/jobs/purge-verifications.ts';
import { ConsoleGateway } from '../../portal/sms/console.ts';
import { Browser, ENTRY, NUMBER, formFields, lastCode, makeVenue, outbox } from './helpers.ts';

describe('guest records: evidence, purge, gateway failure, optional fields', function () {
  let ctx: TestContext;
  let srv: TestServer;

  before(async () => {
    ctx = await testContext();
    await makeVenue(ctx, 'cafe', { fields: { name: 'required', email: 'optional', birthDate: 'optional' } });
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  it('`consents evidence EVENT_ID --out` writes the screen 1 the guest was served, byte for byte', async () => {
    const b = new Browser(srv.url, { lang: 'bg' });
    const first = await b.get(`/p/cafe${ENTRY}`);
    const f = formFields(first.html, '/start');
    const r = await b.post('/p/cafe/start', {
      ...f,
      phone: NUMBER,
      name: 'Мария',
      consent_terms: 'yes',
      consent_email: 'yes',
      email: 'maria@example.com',
    });
    assert.equal(r.status, 303, r.html);
    const s2 = await b.get(r.location!);
    const done = await b.post('/p/cafe/code', { ...formFields(s2.html, '/code'), code: lastCode(ctx) });
    assert.equal(done.status, 303);
    const events = await ctx.db.all<{ id: string; purpose: string; decision: string; locale: string }>(
      'SELECT id, purpose, decision, locale FROM consent_events ORDER BY seq',
    );
    assert.deepEqual(
      events.map((e) => `${e.purpose}:${e.decision}:${e.locale}`),
      ['terms:granted:bg', 'sms:declined:bg', 'email:granted:bg'],
    );

    const file = join(ctx.dir, 'evidence.html');
    const env = {
      DATABASE_URL: ctx.config.databaseUrl,
      SECRET_KEY: ctx.config.SECRET_KEY!,
      DATA_DIR: ctx.dir,
      DEMO_SEED: 'false',
    };
    const run = await foyer(['consents', 'evidence', events[2].id, '--out', file], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readFileSync(file, 'utf8'), first.html);
    assert.match(run.stderr, /written to/);

    const missing = await foyer(['consents', 'evidence', 'no-such-event'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /No consent event with id "no-such-event"/);
  });

  it('asks for the required name and checks email and birth date', async () => {
    const b = new Browser(srv.url);
    const first = await b.get(`/p/cafe${ENTRY.replace('EE-01', 'EE-66')}`);
    assert.match(first.html, /id="name" name="name" autocomplete="name"/);
    assert.match(first.html, /type="date" id="birth_date" name="birth_date" autocomplete="bday"/);
    const r = await b.post('/p/cafe/start', {
      ...formFields(first.html, '/start'),
      phone: NUMBER,
      consent_terms: 'yes',
      email: 'nope',
      birth_date: '2999-01-01',
    });
    assert.equal(r.status, 400);
    assert.match(r.html, /Enter your name\./);
    assert.match(r.html, /Enter an email address such as/);
    assert.match(r.html, /Enter a real date of birth/);
  });

  it('tells the guest when the code could not be sent, and counts nothing', async () => {
    const saved = ctx.sms;
    writeFileSync(join(ctx.dir, 'a-file'), 'x');
    // The real console gateway, pointed at a path it cannot write.
    (ctx as { sms: unknown }).sms = new ConsoleGateway(join(ctx.dir, 'a-file', 'outbox.jsonl'), ctx.log);
    try {
      const b = new Browser(srv.url);
      const first = await b.get(`/p/cafe${ENTRY.replace('EE-01', 'EE-77')}`);
      const r = await b.post('/p/cafe/start', {
        ...formFields(first.html, '/start'),
        phone: '0887123123',
        name: 'A',
        consent_terms: 'yes',
      });
      assert.equal(r.status, 503);
      assert.match(r.html, /could not send the code just now/);
      const counted = await ctx.db.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM verification_sends WHERE status <> 'failed'`,
      );
      const failed = await ctx.db.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM verification_sends WHERE status = 'failed'`,
      );
      assert.equal(Number(failed!.n), 1);
      assert.equal(Number(counted!.n), 1, 'only the earlier successful send');
    } finally {
      (ctx as { sms: unknown }).sms = saved;
    }
  });

  it('purges expired codes, abandoned flows and old sends, keeping the ledger', async () => {
    // (Showing screen 1 writes no flow any more: the flows here are the submitted ones.)
    const count = async (t: string) => Number((await ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))!.n);
    const before = {
      flows: await count('guest_flows'),
      codes: await count('verifications'),
      sends: await count('verification_sends'),
      events: await count('consent_events'),
    };
    assert.ok(before.flows >= 1 && before.codes >= 1 && before.sends >= 1);
    const now = Date.now();
    const soon = await purgeVerificationsJob.run({ db: ctx.db, log: ctx.log, now: () => now });
    assert.deepEqual(soon, { codes: 0, flows: 0, sends: 0 });
    const later = await purgeVerificationsJob.run({ db: ctx.db, log: ctx.log, now: () => now + 2 * 86_400_000 });
    assert.equal(later.flows, before.flows);
    assert.equal(later.codes, before.codes);
    assert.equal(later.sends, before.sends);
    assert.equal(await count('consent_events'), before.events);
    assert.ok(outbox(ctx).length >= 1);
  });
});
