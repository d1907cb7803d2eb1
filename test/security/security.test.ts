// One test per point of deploy/SECURITY.md that a test can check.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { Browser, formFields, lastCode, makeVenue } from '../guest/helpers.ts';
import { adminWorld, type AdminWorld } from '../admin/setup.ts';

describe('security: guest side', function () {
  this.timeout(30_000);
  let ctx: TestContext;
  let srv: TestServer;
  afterEach(async () => {
    await srv?.close();
    await ctx?.cleanup();
  });

  async function signUpWith(
    headers: Record<string, string>,
    entry = '/p/cafe?mac=02:00:00:00:00:31',
    phone = '0881234567',
  ) {
    const b = new Browser(srv.url);
    const get = (path: string) =>
      fetch(srv.url + path, {
        headers: { accept: 'text/html', ...headers, cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
        redirect: 'manual',
      });
    const first = await b.get(entry);
    const start = await b.post('/p/cafe/start', { ...formFields(first.html, '/start'), phone, consent_terms: 'yes' });
    assert.equal(start.status, 303, start.html);
    const screen2 = await b.get(start.location!);
    const post = (path: string, form: Record<string, string>) =>
      fetch(srv.url + path, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
          ...headers,
          cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        },
        body: new URLSearchParams(form).toString(),
      });
    const done = await post('/p/cafe/code', { ...formFields(screen2.html, '/code'), code: lastCode(ctx) });
    return { first, done, get };
  }

  it('X-Forwarded-For is ignored unless TRUST_PROXY is set: the ledger records the real address', async () => {
    ctx = await testContext();
    await makeVenue(ctx);
    srv = await serve(ctx);
    await signUpWith({ 'x-forwarded-for': '203.0.113.9' });
    const e = await ctx.db.get<{ client_ip: string }>('SELECT client_ip FROM consent_events LIMIT 1');
    assert.equal(e!.client_ip, '127.0.0.1');
  });

  it('X-Forwarded-For is used behind a configured proxy', async () => {
    ctx = await testContext({ env: { TRUST_PROXY: 'true' } });
    await makeVenue(ctx);
    srv = await serve(ctx);
    await signUpWith({ 'x-forwarded-for': '203.0.113.9' });
    const e = await ctx.db.get<{ client_ip: string }>('SELECT client_ip FROM consent_events LIMIT 1');
    assert.equal(e!.client_ip, '203.0.113.9');
  });

  it('the guest flow cookie is HttpOnly, SameSite and signed', async () => {
    ctx = await testContext();
    await makeVenue(ctx);
    srv = await serve(ctx);
    // Set when screen 1 is submitted (showing it writes and sets nothing).
    const page = await fetch(`${srv.url}/p/cafe`);
    assert.deepEqual(page.headers.getSetCookie(), []);
    const res = await fetch(`${srv.url}/p/cafe/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...formFields(await page.text(), '/start'),
        phone: '0881234567',
        consent_terms: 'yes',
      }).toString(),
      redirect: 'manual',
    });
    assert.equal(res.status, 303);
    const cookies = res.headers.getSetCookie().filter((c) => c.startsWith('foyer_flow'));
    assert.ok(cookies.length >= 2, 'value and signature');
    for (const c of cookies) {
      assert.match(c, /httponly/i);
      assert.match(c, /samesite=lax/i);
    }
  });

  it('refuses every guest form without its CSRF token', async () => {
    ctx = await testContext();
    await makeVenue(ctx);
    srv = await serve(ctx);
    const b = new Browser(srv.url);
    const first = await b.get('/p/cafe');
    const f = formFields(first.html, '/start');
    for (const path of ['/p/cafe/start', '/p/cafe/code', '/p/cafe/resend']) {
      const r = await b.post(path, { f: f.f, phone: '0881234567', consent_terms: 'yes', code: '123456' });
      assert.equal(r.status, 403, `${path} without a token`);
      assert.match(r.html, /This form has expired/, `${path} without a token: refused for its token`);
      const wrong = await b.post(path, {
        ...f,
        csrf: 'forged',
        _csrf: 'forged',
        phone: '0881234567',
        consent_terms: 'yes',
        code: '123456',
      });
      assert.equal(wrong.status, 403, `${path} with a forged token: ${wrong.status}`);
      assert.match(wrong.html, /This form has expired/, `${path} with a forged token: refused for its token`);
    }
  });

  it('never links or redirects to a non-http original URL', async () => {
    ctx = await testContext();
    await makeVenue(ctx);
    srv = await serve(ctx);
    const evils = [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '//evil.example/x',
      'http://user:pw@evil.example/',
    ];
    for (const [i, evil] of evils.entries()) {
      const { done } = await signUpWith(
        {},
        `/p/cafe?mac=02:00:00:00:00:4${i}&url=${encodeURIComponent(evil)}`,
        `088123450${i}`,
      );
      const loc = done.headers.get('location') ?? '';
      assert.ok(!loc.includes('evil.example') && !/^(javascript|data):/i.test(loc), `redirect to ${loc}`);
      const online = loc ? await (await fetch(srv.url + loc, { redirect: 'manual' })).text() : await done.text();
      assert.doesNotMatch(online, /href="(javascript|data):/i);
      assert.doesNotMatch(online, /user:pw@/);
    }
  });

  it('keeps codes out of the database in clear', async () => {
    ctx = await testContext();
    await makeVenue(ctx);
    srv = await serve(ctx);
    const b = new Browser(srv.url);
    const first = await b.get('/p/cafe?mac=02:00:00:00:00:51');
    await b.post('/p/cafe/start', { ...formFields(first.html, '/start'), phone: '0881234567', consent_terms: 'yes' });
    const code = lastCode(ctx);
    const tables = await ctx.db.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`);
    for (const { name } of tables) {
      for (const row of await ctx.db.all<Record<string, unknown>>(`SELECT * FROM "${name}"`)) {
        for (const [col, v] of Object.entries(row))
          assert.ok(!(typeof v === 'string' && v.includes(code)), `${name}.${col} holds the code in clear`);
      }
    }
  });

  it('limits header, URL, parameter and body sizes with 4xx answers', async () => {
    ctx = await testContext();
    await makeVenue(ctx);
    srv = await serve(ctx);
    // The answer must be a 431, not a dropped connection: a failed fetch fails the test.
    const bigHeader = await fetch(`${srv.url}/p/cafe`, { headers: { 'x-junk': 'x'.repeat(20_000) } });
    assert.equal(bigHeader.status, 431, `oversized header: ${bigHeader.status}`);
    const longParam = await fetch(
      `${srv.url}/p/cafe?mac=02:00:00:00:00:61&ssid=${'s'.repeat(4000)}&url=http://example.com/${'p'.repeat(4000)}`,
    );
    assert.ok(longParam.status < 500, `long parameters: ${longParam.status}`);
    const big = await fetch(`${srv.url}/p/cafe/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'phone=' + '1'.repeat(200_000),
    });
    assert.equal(big.status, 413);
  });
});

describe('security: admin side', function () {
  this.timeout(60_000);
  let w: AdminWorld;
  before(async () => (w = await adminWorld()));
  after(() => w.close());

  it('refuses every state-changing admin form without its CSRF token', async () => {
    const owner = await w.as('owner');
    const routes = [
      `/admin/venues/${w.a.slug}/settings`,
      '/admin/accounts',
      '/admin/accounts/x',
      '/admin/accounts/x/remove',
      `/admin/venues/${w.a.slug}/branding`,
      `/admin/venues/${w.a.slug}/branding/discard`,
      `/admin/venues/${w.a.slug}/publish`,
      `/admin/venues/${w.a.slug}/consents/person/${w.guestHash}/withdraw`,
      `/admin/venues/${w.a.slug}/consents/person/${w.guestHash}/erase`,
      '/admin/network/nas/new',
      `/admin/network/nas/${w.nasId}/edit`,
      `/admin/network/nas/${w.nasId}/remove`,
      `/admin/network/sessions/${w.sessionId}/disconnect`,
      '/admin/logout',
      '/admin/logout-everywhere',
    ];
    for (const path of routes) {
      const r = await owner.post(path, {}, { csrf: false });
      assert.equal(r.status, 403, `${path} without a token answered ${r.status}`);
    }
    const events = await w.ctx.db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM consent_events WHERE decision = 'withdrawn'`,
    );
    assert.equal(Number(events!.n), 0, 'nothing was withdrawn');
  });
});

describe('security: the code itself', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) =>
      statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : [],
    );

  it('builds SQL only from constants: every interpolation in a SQL string is on the reviewed list', () => {
    // Values always travel as parameters; what is interpolated is a column list, a
    // placeholder list, a WHERE built from constant fragments, or a number the code chose.
    // Each entry is one exact expression that was read and found constant; no pattern, so
    // a new upper-case name or a new `.join(', ')` has to be reviewed and added here.
    const reviewed = new Set([
      "${'0'.repeat(64)}", // migrations/001: the genesis hash
      '${CHANGE_WINDOW_MS}',
      '${DAY}', // numeric constants
      "${COLUMNS.join(', ')}",
      "${COLUMNS.map(() => '?').join(', ')}", // consent/append.ts: the constant event columns
      '${OVERRIDE[tx.dialect]}', // consent/append.ts: a constant per dialect
      "${FINAL.map(() => '?').join(', ')}", // sms/message-log.ts: constant statuses, as placeholders
      '${SELECT}', // access/grant-state.ts: a constant column list
      "${columns.join(', ')}",
      "${columns.map(() => '?').join(', ')}", // access/nas-clients.ts: names from a constant table
      '${dbNowMs(d)}',
      '${dbNowMs(o.db.dialect)}',
      '${dbNowMs(db.dialect)}',
      '${fn}',
      '${grant}',
      '${table}', // dialect SQL chosen by the code
      '${PG_NOW}', // store/clock.ts: dbNowMs('postgres'), the server's clock
      '${extraSql}', // consent/head.ts: '' or append.ts's constant clock column (dbNowMs('postgres')), and record-signup.ts's constant subject subquery (SUBJECT_ID_SQL, placeholders only)
      '${target}', // consent/subjects.ts: one of two constant conflict targets ('id', 'venue_id, number_hash')
      '${venue}', // access/sessions.ts liveSessions: '' or a constant venue condition with a placeholder
      '${pairsSql}', // consent/agreeing-subjects.ts: '(c.purpose = ? AND e.locale = ?)' joined by OR, placeholders only
      "${later('input_octets')}",
      "${later('output_octets')}",
      "${later('session_time')}",
      "${later('stale_at')}",
      "${later('updated_at')}",
      '${reopenable}', // access/sessions.ts
      '${limit}',
      '${page}',
      '${pageSize}', // numbers the code bounded
      '${lockKey(name)}', // store/postgres.ts: a number derived from the lock name
      "${checks.join(', ')}",
      '${i}', // verification/limits.ts: one subquery per constant rule, aliased by its index
      "${part.map(() => ROW).join(', ')}",
      "${part.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}", // consent/append.ts: placeholder rows, at most 200
      "${where.join(' AND ')}",
      '${where}', // constant fragments with ? placeholders
      "${secret ? ', secret_enc = ?' : ''}", // admin/nas-form.ts
      "${wanted.map(() => '?').join(', ')}", // venues/venue-names.ts, consent/masked-numbers.ts: one placeholder per id (a page of sessions, at most 500)
      "${part.map(() => '(?, ?, ?)').join(', ')}", // consent/lists.ts: placeholder rows of invalid numbers, a chunk at a time
      "${rows.map(() => '(?, ?, ?, 1, ?, ?)').join(', ')}",
      "${rows.map(() => '(dim = ? AND k = ?)').join(' OR ')}", // verification/limits.ts: placeholders, one per counted key of a send (at most 7)
      '${IN_WINDOW}',
      "${reached.join(' OR ')}", // verification/limits.ts guardSendLimits: a constant subquery with placeholders per rule (at most 8), each compared with a placeholder
      '${sql}', // store/requirements.ts requireIn: its callers' constant reads with placeholders
      '${SUBJECT_ID_SQL}', // consent/subjects.ts: a constant scalar subquery with two placeholders
      "${over.map(() => IN_WINDOW).join(' OR ')}", // verification/limits.ts: a constant condition with placeholders, once per rule in the way
    ]);
    const offenders: string[] = [];
    for (const file of [...files('portal'), ...files('radius')]) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/`([^`]*\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\b[^`]*)`/g)) {
        for (const i of m[1].matchAll(/\$\{[^}]*\}/g)) if (!reviewed.has(i[0])) offenders.push(`${file}: ${i[0]}`);
      }
    }
    assert.deepEqual(offenders, []);
    // What the old patterns let through is not on the list.
    for (const unreviewed of [
      '${NAME}',
      '${USER_INPUT}',
      "${names.join(', ')}",
      "${ids.map(() => '?').join(', ')}",
      '${order}',
    ])
      assert.ok(!reviewed.has(unreviewed), unreviewed);
  });

  it('writes values into SQL text in one reviewed place only: portal/store/sql-literal.ts', () => {
    // Deferred writes (Tx.defer) go as SQL text with their values inlined; the quoting of
    // those values (text with '' doubled or pg.escapeLiteral, X'..' bytes, numbers checked
    // finite) is one function, round-tripped through both databases by
    // test/store/sql-literal.property.test.ts. Anything else that quotes a value is new and unreviewed.
    const quoting = /escapeLiteral|escapeIdentifier|"''"|X'\$\{/;
    const quoters = [...files('portal'), ...files('radius')].filter((f) => quoting.test(readFileSync(f, 'utf8')));
    assert.deepEqual(quoters, [join('portal', 'store', 'sql-literal.ts')]);
  });
});
