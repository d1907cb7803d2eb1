// Screen 1 for a browser that holds a flow cookie (back through the NAS redirect after
// signing up, or from the SMS app) runs the after-login check and then the entry; what the
// first read (the redirect, the browser's flow) the second uses, so the flow is read once.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { countStatements, type StatementLog } from '../support/statement-count.ts';
import { Browser, ENTRY, formFields, lastCode, makeVenue } from './helpers.ts';

describe('screen 1 for a browser holding a flow cookie', function () {
  let ctx: TestContext;
  let srv: TestServer;
  let log: StatementLog;

  before(async () => {
    ctx = await testContext();
    log = countStatements(ctx.db);
    await makeVenue(ctx, 'reads');
    srv = await serve(ctx);
  });
  after(async () => {
    await srv.close();
    await ctx.cleanup();
  });

  it('reads its flow once, on screen 2 and after the sign-up alike', async () => {
    const b = new Browser(srv.url);
    const first = await b.get(`/p/reads${ENTRY}`);
    const sent = await b.post('/p/reads/start', {
      ...formFields(first.html, '/start'),
      phone: '0887000041',
      consent_terms: 'yes',
    });
    assert.equal(sent.status, 303);
    const flowReads = () => log.sql.filter((s) => s.startsWith('SELECT * FROM guest_flows')).length;

    log.reset();
    const back = await b.get(`/p/reads${ENTRY}`);
    assert.equal(back.status, 303, 'back from the SMS app: on to screen 2');
    assert.match(back.location!, /\/code\?f=/);
    assert.equal(flowReads(), 1, log.sql.join('\n'));

    const code = formFields((await b.get(sent.location!)).html, '/code');
    assert.equal((await b.post('/p/reads/code', { ...code, code: lastCode(ctx) })).status, 303);
    log.reset();
    const again = await b.get(`/p/reads${ENTRY}`);
    assert.equal(again.status, 303, 'signed up, hand-back not seen by the NAS: on to the online page');
    assert.equal(flowReads(), 1, log.sql.join('\n'));
  });
});
