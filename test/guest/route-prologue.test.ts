// What every guest route gets from its middleware (guest/with-flow.ts) and the one error
// renderer (http/error-handler.ts): the venue or the guest's 404 page, the flow this
// browser holds or a 410 page, both in the guest's language and the guest layout (never
// JSON), and a flow in another state sent where that state is shown.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { eachBackend } from '../support/backends.ts';
import { Browser, ENTRY, NUMBER, formFields, lastCode, makeVenue } from './helpers.ts';

eachBackend('guest route prologue', (backend) => {
  let ctx: TestContext;
  let srv: TestServer;
  before(async () => {
    ctx = await testContext({ backend });
    await makeVenue(ctx);
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  const isGuestPage = (html: string) => /\/p\/static\/guest\.css\?v=/.test(html);

  it("answers an unknown venue on every guest route with the guest 404 page in the guest's language, even to a JSON client", async () => {
    for (const [method, path] of [
      ['GET', '/p/nowhere'],
      ['GET', '/p/nowhere/code'],
      ['POST', '/p/nowhere/resend'],
      ['GET', '/p/nowhere/theme.css'],
      ['GET', '/p/No_Such!/start'],
    ] as const) {
      const r = await fetch(srv.url + path, {
        method,
        headers: { accept: 'application/json', 'accept-language': 'bg' },
        redirect: 'manual',
      });
      const html = await r.text();
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.ok(isGuestPage(html), `${method} ${path}: not the guest layout: ${html.slice(0, 200)}`);
      assert.match(html, /Не намерихме страницата за вход/);
      assert.doesNotMatch(html, /Започнете отначало/, 'no venue, no way back to its start');
    }
  });

  it("answers a flow screen without this browser's flow with the 410 page, in the language the link asks for", async () => {
    const r = await new Browser(srv.url).get('/p/cafe/code?f=0f8fad5b-d9cb-469f-a165-70867728950e&lang=bg');
    assert.equal(r.status, 410);
    assert.ok(isGuestPage(r.html));
    assert.match(r.html, /Времето за вход изтече/);
    assert.match(r.html, /href="\/p\/cafe">Започнете отначало/);
  });

  it('sends a flow to the screen of its state: screen 2 only with a code sent, "online" only when done', async () => {
    const b = new Browser(srv.url);
    const first = await b.get(`/p/cafe${ENTRY}`);
    const started = await b.post('/p/cafe/start', {
      ...formFields(first.html, '/start'),
      phone: NUMBER,
      consent_terms: 'yes',
    });
    assert.equal(started.status, 303);
    const f = new URL(started.location!, srv.url).searchParams.get('f')!;
    const early = await b.get(`/p/cafe/online?f=${f}`);
    assert.equal(early.status, 303);
    assert.equal(early.location, `/p/cafe/start?f=${f}`);

    const s2 = await b.get(started.location!);
    assert.equal(s2.status, 200);
    const fields = formFields(s2.html, '/code');
    const done = await b.post('/p/cafe/code', { ...fields, code: lastCode(ctx) });
    assert.equal(done.status, 303, done.html);
    for (const r of [
      await b.get(`/p/cafe/code?f=${f}`),
      await b.post('/p/cafe/code', { ...fields, code: '000000' }),
      await b.post('/p/cafe/resend', fields),
    ]) {
      assert.equal(r.status, 303);
      assert.equal(r.location, `/p/cafe/online?f=${f}`);
    }
  });
});
