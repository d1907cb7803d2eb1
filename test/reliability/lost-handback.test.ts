// The answer carrying the hand-back can be lost after the grant is committed (a crash,
// a mini-browser closed at the wrong moment). The guest must still get onto the NAS: the
// same grant is handed back again, never a dead end that says "online" when the NAS
// never saw the credentials.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { Browser, formFields, lastCode, makeVenue } from '../guest/helpers.ts';
import { handBackCredentials } from '../support/hand-back.ts';

const LOGIN = 'http://127.0.0.1:9/login'; // the NAS's own address; never called
const ENTRY = `/p/cafe?mac=02-00-00-00-00-07&ip=10.0.0.7&nasid=ap-1&login_url=${encodeURIComponent(LOGIN)}`;

describe('a lost hand-back', () => {
  let ctx: TestContext;
  let srv: TestServer;
  beforeEach(async () => {
    ctx = await testContext();
    await makeVenue(ctx);
    srv = await serve(ctx);
  });
  afterEach(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  async function signUpLosingTheAnswer(b: Browser) {
    const first = await b.get(ENTRY);
    const start = await b.post('/p/cafe/start', {
      ...formFields(first.html, '/start'),
      phone: '0881234567',
      consent_terms: 'yes',
    });
    const screen2 = await b.get(start.location!);
    const fields = formFields(screen2.html, '/code');
    const code = lastCode(ctx);
    const answer = await b.post('/p/cafe/code', { ...fields, code });
    const creds = handBackCredentials(answer, LOGIN)!;
    assert.ok(creds?.username, 'the first answer was a hand-back');
    return { fields, code, creds };
  }

  /** Follows Foyer's own redirects, stopping at a hand-back to the NAS. */
  async function follow(b: Browser, r: { status: number; location: string | null; html: string }) {
    for (let i = 0; i < 5 && (r.status === 303 || r.status === 302) && !r.location!.startsWith(LOGIN); i++)
      r = await b.get(r.location!);
    return r;
  }

  it('sending the code again hands back the same grant', async () => {
    const b = new Browser(srv.url);
    const { fields, code, creds } = await signUpLosingTheAnswer(b);
    const again = await follow(b, await b.post('/p/cafe/code', { ...fields, code }));
    assert.deepEqual(handBackCredentials(again, LOGIN), creds);
  });

  it('coming back from the NAS redirect hands back the same grant, in the browser that signed up', async () => {
    const b = new Browser(srv.url);
    const { creds } = await signUpLosingTheAnswer(b);
    const r = await follow(b, await b.get(ENTRY));
    assert.deepEqual(handBackCredentials(r, LOGIN), creds);
    // Another browser with the same MAC gets screen 1, never the credentials (issue 14 point 1).
    const fresh = new Browser(srv.url, { keepCookies: false });
    const other = await follow(fresh, await fresh.get(ENTRY));
    assert.equal(other.status, 200);
    assert.equal(handBackCredentials(other, LOGIN), undefined);
    assert.match(other.html, /action="\/p\/cafe\/start"/);
  });

  it('once the NAS has started a session, the page says online', async () => {
    const b = new Browser(srv.url);
    const { fields, code, creds } = await signUpLosingTheAnswer(b);
    const grant = await ctx.db.get<{ id: string }>('SELECT id FROM grants WHERE username = ?', [creds.username]);
    const now = Date.now();
    await ctx.db.run(
      `INSERT INTO sessions (id, nas_id, acct_session_id, grant_id, started_at, updated_at, interim_interval, stale_at) VALUES ('s', 'n', 'a', ?, ?, ?, 300, ?)`,
      [grant!.id, now, now, now + 900_000],
    );
    const r = await follow(b, await b.post('/p/cafe/code', { ...fields, code }));
    assert.equal(handBackCredentials(r, LOGIN), undefined);
    assert.match(r.html, /You are online/);
  });
});
