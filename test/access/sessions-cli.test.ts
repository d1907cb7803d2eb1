import assert from 'node:assert/strict';
import { join } from 'node:path';
import { foyer } from '../support/cli.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { createAccessPolicy } from '../../portal/access/policy.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { listSessions } from '../../portal/access/sessions.ts';
import { listAudit } from '../../portal/accounts/audit.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { acct, guestGrant } from './fixtures.ts';
import { nasResponder, text, type NasResponder } from './nas-responder.ts';

const SECRET = 'cli-test-secret-1';

describe('foyer sessions list|disconnect', function () {
  this.timeout(60_000);
  let ctx: TestContext;
  let env: Record<string, string>;
  let acking: NasResponder;
  let naking: NasResponder;

  before(async () => {
    ctx = await testContext();
    env = {
      DATA_DIR: ctx.dir,
      DATABASE_URL: join(ctx.dir, 'foyer.db'),
      SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789',
    };
    acking = await nasResponder({ secret: SECRET, answer: 'ack' });
    naking = await nasResponder({ host: '127.0.0.3', secret: SECRET, answer: { nak: 503 } });
    const venue = await createVenue(ctx.db, { slug: 'cafe', name: 'Cafe', country: 'BG' });
    const a = await addNas(ctx.db, ctx.cipher, {
      name: 'lobby-ap',
      address: '127.0.0.1',
      secret: SECRET,
      vendor: 'coovachilli',
      venueId: venue.id,
      coaPort: acking.port,
    });
    const b = await addNas(ctx.db, ctx.cipher, {
      name: 'bar-ap',
      address: '127.0.0.3',
      secret: SECRET,
      vendor: 'generic',
      venueId: venue.id,
      coaPort: naking.port,
    });
    const policy = createAccessPolicy({ db: ctx.db, cipher: ctx.cipher, log: ctx.log });
    const g = await guestGrant(ctx, venue);
    await policy.account(
      acct(a, 'start', {
        sessionId: 'lobby-1',
        userName: g.username,
        class: g.id,
        callingStationId: 'AA-BB-CC-DD-EE-01',
        framedIpAddress: '10.0.0.9',
      }),
    );
    await policy.account(acct(b, 'start', { sessionId: 'bar-1', userName: g.username, class: g.id }));
    await policy.account(
      acct(a, 'stop', { sessionId: 'lobby-old', userName: g.username, class: g.id, sessionTimeSeconds: 10 }),
    );
  });
  after(async () => {
    await acking.close();
    await naking.close();
    await ctx.cleanup();
  });

  it('lists open sessions with their NAS, and ended ones with --all', async () => {
    const r = await foyer(['sessions', 'list'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^id\tnas\tuser/m);
    assert.match(r.stdout, /\tlobby-ap\tg-[0-9a-f]+\taa:bb:cc:dd:ee:01\t10\.0\.0\.9\t/);
    assert.match(r.stdout, /\tbar-ap\t/);
    assert.equal(r.stdout.trim().split('\n').length, 3);
    const all = await foyer(['sessions', 'list', '--all'], env);
    assert.equal(all.stdout.trim().split('\n').length, 4);
  });

  it('disconnects a session by its Acct-Session-Id, blocks the device for 24 h by default, reports the ACK and audits it', async () => {
    const r = await foyer(['sessions', 'disconnect', 'lobby-1'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /disconnected: .* \(the NAS acknowledged\)/);
    assert.match(r.stdout, /blocked: aa:bb:cc:dd:ee:01 at this venue until /);
    const block = await ctx.db.get<{ until_at: number }>('SELECT until_at FROM device_blocks WHERE mac = ?', [
      'aa:bb:cc:dd:ee:01',
    ]);
    assert.ok(Math.abs(Number(block!.until_at) - Date.now() - 24 * 3_600_000) < 120_000);
    const [entry] = await listAudit(ctx.db, { action: 'session.block' });
    assert.match(entry.actorEmail, /^cli:/);
    assert.equal(acking.received.length, 1);
    assert.equal(text(acking.received[0], 44), 'lobby-1');
    const s = (await listSessions(ctx.db)).find((x) => x.acctSessionId === 'lobby-1');
    assert.equal(s?.disconnectResult, 'ack');
  });

  it("reports the NAS's refusal with its Error-Cause, by Foyer's session id", async () => {
    const id = (await listSessions(ctx.db)).find((x) => x.acctSessionId === 'bar-1')!.id;
    const r = await foyer(['sessions', 'disconnect', id], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused to disconnect .*Error-Cause (503|Session-Context-Not-Found)/);
  });

  it('refuses an unknown or ended session with a message', async () => {
    const unknown = await foyer(['sessions', 'disconnect', 'nope'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No session "nope".*sessions list/);
    const ended = await foyer(['sessions', 'disconnect', '--only', 'lobby-old'], env);
    assert.equal(ended.code, 2);
    assert.match(ended.stderr, /already ended/);
    const both = await foyer(['sessions', 'disconnect', '--only', '--revoke', 'lobby-old'], env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /Choose one of --only and --revoke/);
    const hours = await foyer(['sessions', 'disconnect', '--block-hours', 'many', 'lobby-old'], env);
    assert.equal(hours.code, 2);
    assert.match(hours.stderr, /whole number of hours/);
  });

  it('--block-hours N blocks for N hours, --revoke revokes the grant, both audited', async () => {
    const block = await foyer(['sessions', 'disconnect', '--block-hours', '3', 'lobby-1'], env);
    assert.equal(block.code, 0, block.stderr);
    const row = await ctx.db.get<{ until_at: number }>('SELECT until_at FROM device_blocks WHERE mac = ?', [
      'aa:bb:cc:dd:ee:01',
    ]);
    assert.ok(Math.abs(Number(row!.until_at) - Date.now() - 3 * 3_600_000) < 120_000);
    const revoke = await foyer(['sessions', 'disconnect', '--revoke', 'lobby-old'], env);
    assert.equal(revoke.code, 0, revoke.stderr);
    assert.match(revoke.stdout, /revoked: grant /);
    assert.ok((await ctx.db.get<{ revoked_at: number | null }>('SELECT revoked_at FROM grants'))!.revoked_at);
    assert.equal((await listAudit(ctx.db, { action: 'session.revoke' })).length, 1);
  });
});
