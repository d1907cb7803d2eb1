// The SMS gateway slow or failing: the guest is told within a few seconds that the code
// could not be sent, nothing counts as sent, and a retry works once the gateway is back.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { httpPeer, type HttpPeer } from '../sms/peers.ts';
import { Browser, formFields, makeVenue } from '../guest/helpers.ts';

describe('SMS gateway outage, seen by a guest', function () {
  this.timeout(60_000);
  let ctx: TestContext;
  let srv: TestServer;
  let gateway: HttpPeer;
  let mode: 'hang' | 'fail' | 'ok' = 'hang';
  before(async () => {
    gateway = await httpPeer(() => {
      if (mode === 'hang') return { status: 200, body: '{"id":"late"}', delayMs: 20_000 };
      if (mode === 'fail') return { status: 503, body: 'upstream down' };
      return { status: 200, body: `{"id":"ok-${Math.random().toString(36).slice(2)}"}` };
    });
    ctx = await testContext({
      env: {
        SMS_GATEWAY: 'http',
        SMS_HTTP_URL: `${gateway.url}/send`,
        SMS_HTTP_BODY: '{"to":"{{to}}","text":"{{text}}"}',
        SMS_HTTP_HEADERS: '{"Content-Type":"application/json"}',
        SMS_HTTP_ID: 'id',
        SMS_TIMEOUT_MS: '1000',
      },
    });
    await makeVenue(ctx);
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await gateway.close();
    await ctx.cleanup();
  });

  async function submit(b: Browser) {
    const first = await b.get('/p/cafe?mac=02:00:00:00:00:01');
    const started = Date.now();
    const r = await b.post('/p/cafe/start', {
      ...formFields(first.html, '/start'),
      phone: '0881234567',
      consent_terms: 'yes',
    });
    return { r, ms: Date.now() - started };
  }

  for (const m of ['hang', 'fail'] as const) {
    it(`a gateway that ${m === 'hang' ? 'times out' : 'answers 5xx'}: told within seconds, nothing counted as sent`, async () => {
      mode = m;
      const { r, ms } = await submit(new Browser(srv.url));
      assert.equal(r.status, 503);
      assert.match(r.html, /could not send the code/);
      assert.ok(ms < 10_000, `answered after ${ms} ms`);
      const sent = await ctx.db.all(`SELECT status FROM sms_messages WHERE status IN ('sent', 'delivered')`);
      assert.deepEqual(sent, []);
    });
  }

  it('works again as soon as the gateway is back', async () => {
    mode = 'ok';
    const { r } = await submit(new Browser(srv.url));
    assert.equal(r.status, 303, r.html);
    assert.match(r.location!, /\/code\?/);
  });
});
