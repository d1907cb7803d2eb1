// Issue 19.12: the guides' "check" steps tell the network admin to look for the accept in
// Foyer's log. Over real UDP, each answer is one info line naming the NAS, the masked
// user, the reason of a reject and the time taken; the full user name never appears.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { exchange } from '../support/radius-harness.ts';
import { radiusPackage } from '../../radius/codec.ts';
import { createLogger } from '../../portal/log.ts';
import { startRadius, type RadiusService } from '../../portal/radius-main.ts';
import { guestGrant, venueWithNas } from './fixtures.ts';

const SECRET = 'testing123-secret';
let id = 0;
const packet = (code: string, attributes: [string, unknown][]) =>
  radiusPackage.encode({
    code,
    secret: SECRET,
    identifier: ++id % 256,
    attributes,
    add_message_authenticator: code === 'Access-Request',
  });

eachBackend('access: RADIUS decisions in the log', (backend) => {
  let ctx: TestContext;
  let server: RadiusService;
  const lines: Record<string, unknown>[] = [];
  beforeEach(async () => {
    lines.length = 0;
    ctx = await testContext({ backend });
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        cb();
      },
    });
    server = await startRadius(
      { ...ctx, log: createLogger('info', sink) },
      { authPort: 0, acctPort: 0, host: '127.0.0.1' },
    );
  });
  afterEach(async () => {
    await server.stop();
    await ctx.cleanup();
  });

  const ask = async (port: number, code: string, attributes: [string, unknown][]) => {
    assert.ok(await exchange(packet(code, attributes), port, '127.0.0.1', 2000), `no answer to ${code}`);
    await new Promise((r) => setImmediate(r));
  };
  const logged = (msg: string) => lines.filter((l) => l.msg === msg);

  it('logs Access-Accept, Access-Reject with its reason, and accounting at info with NAS, masked user and time', async () => {
    const { venue, nas } = await venueWithNas(ctx, 'cafe');
    const g = await guestGrant(ctx, venue, { mac: 'AA-BB-CC-DD-EE-FF' });
    await ask(server.authPort, 'Access-Request', [
      ['User-Name', g.username],
      ['User-Password', g.password],
      ['Calling-Station-Id', 'AA-BB-CC-DD-EE-FF'],
    ]);
    await ask(server.authPort, 'Access-Request', [
      ['User-Name', g.username],
      ['User-Password', 'not-it'],
      ['Calling-Station-Id', 'AA-BB-CC-DD-EE-FF'],
    ]);
    await ask(server.acctPort, 'Accounting-Request', [
      ['Acct-Status-Type', 'Start'],
      ['Acct-Session-Id', 's-1'],
      ['User-Name', g.username],
      ['Class', Buffer.from(g.id)],
      ['Calling-Station-Id', 'AA-BB-CC-DD-EE-FF'],
    ]);

    const [accept] = logged('Access-Accept');
    const [reject] = logged('Access-Reject');
    const [acct] = logged('Accounting-Response');
    for (const l of [accept, reject, acct]) {
      assert.ok(l, `missing a line in ${JSON.stringify(lines.map((x) => x.msg))}`);
      assert.equal(l.level, 30, 'info');
      assert.equal(l.nas, nas.name);
      assert.equal(l.user, `${g.username.slice(0, 4)}****${g.username.slice(-2)}`);
      assert.equal(typeof l.ms, 'number');
      assert.ok((l.ms as number) >= 0 && (l.ms as number) < 2000);
    }
    assert.equal(reject.reason, 'wrong_password');
    assert.equal(accept.reason, undefined);
    assert.equal(acct.status, 'start');
    assert.equal(acct.session, 's-1');
    assert.ok(!lines.some((l) => JSON.stringify(l).includes(g.username)), 'the full user name is never logged');
  });
});
