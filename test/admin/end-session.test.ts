// Issue 15 point 3 and issue 19 point 7: an operator path to end a guest's access. From
// the console, with a choice (disconnect only; disconnect and block the device, the
// default; revoke the grant), checked against real UDP RADIUS: right after
// disconnect-with-block the device's MAC authentication is refused; after disconnect only
// it is accepted again; after a revocation the grant's credentials are refused. Each
// action writes its audit entry; CSRF and roles are enforced.
import assert from 'node:assert/strict';
import { adminWorld, type AdminWorld } from './setup.ts';
import { startRadius, type RadiusService } from '../../portal/radius-main.ts';
import { radiusAsk } from '../support/guest-signup.ts';
import { radiusPackage } from '../../radius/codec.ts';
import { listAudit } from '../../portal/accounts/audit.ts';
import { eachBackend } from '../support/backends.ts';
import { endSession } from '../../portal/admin/end-session.ts';
import { createGrant } from '../../portal/access/grants.ts';

const NAS_SECRET = 'nas-shared-secret';
const MAC = 'AA-BB-CC-DD-EE-FF';

const macAuth = (port: number) =>
  radiusAsk(
    port,
    radiusPackage.encode({
      code: 'Access-Request',
      identifier: Math.floor(Math.random() * 256),
      secret: NAS_SECRET,
      add_message_authenticator: true,
      attributes: [
        ['User-Name', MAC],
        ['User-Password', MAC],
        ['Calling-Station-Id', MAC],
      ],
    }),
    1500,
  );

const CODE = { accept: 2, reject: 3 };

eachBackend("console: ending a guest's session with a choice", (backend) => {
  let w: AdminWorld;
  let radius: RadiusService;
  let grant: { username: string; password: string };
  beforeEach(async () => {
    w = await adminWorld({}, backend);
    radius = await startRadius(w.ctx, { authPort: 0, acctPort: 0, host: '127.0.0.1' });
    const g = await w.ctx.db.get<{ username: string; password_enc: string }>(
      'SELECT username, password_enc FROM grants',
    );
    grant = { username: g!.username, password: w.ctx.cipher.decrypt(g!.password_enc) };
  });
  afterEach(async () => {
    await radius.stop();
    await w.close();
  });

  const end = async (role: Parameters<AdminWorld['as']>[0], form: Record<string, string>) => {
    const c = await role_(role);
    return c.post(`/admin/sessions/${w.sessionId}/end`, form);
  };
  const role_ = async (role: Parameters<AdminWorld['as']>[0]) => {
    const c = await w.as(role);
    await c.get(
      role === 'owner' || role === 'network-admin' ? '/admin/network/sessions' : `/admin/venues/cafe-a/online`,
    );
    return c;
  };

  it("offers the choice on the sessions page and on the venue's online page, block chosen by default", async () => {
    const net = await w.as('network-admin');
    const page = await net.get('/admin/network/sessions');
    assert.match(page.html, /<option value="block" selected>/);
    assert.match(page.html, /<option value="disconnect">/);
    assert.doesNotMatch(page.html, /value="revoke"/, 'a network admin may not revoke');
    const op = await w.as('operator-a');
    const online = await op.get('/admin/venues/cafe-a/online');
    assert.equal(online.status, 200);
    assert.match(online.html, /aa:bb:cc:dd:ee:ff/);
    assert.match(online.html, /<option value="revoke">/);
    assert.equal((await (await w.as('operator-b')).get('/admin/venues/cafe-a/online')).status, 404);
    const netOnline = await net.get('/admin/venues/cafe-a/online');
    assert.equal(netOnline.status, 200);
    assert.doesNotMatch(
      netOnline.html,
      /aa:bb:cc:dd:ee:ff|10\.0\.0\.5/,
      'a network admin sees no guest MAC or IP here either',
    );
    assert.match(netOnline.html, /aa:bb:cc:\*\*:\*\*:ff/);
  });

  it("the default (disconnect and block 24 h) refuses the device's MAC authentication at once, and audits it", async () => {
    assert.equal(await macAuth(radius.authPort), CODE.accept, 'MAC authentication before');
    const res = await end('network-admin', {});
    assert.equal(res.status, 200, res.html);
    assert.match(res.html, /blocked at this venue until/);
    assert.equal(w.nas.received, 1, 'the NAS got a Disconnect-Request');
    assert.equal(await macAuth(radius.authPort), CODE.reject, 'MAC authentication right after the block');
    const login = await radiusAsk(
      radius.authPort,
      radiusPackage.encode({
        code: 'Access-Request',
        identifier: 7,
        secret: NAS_SECRET,
        add_message_authenticator: true,
        attributes: [
          ['User-Name', grant.username],
          ['User-Password', grant.password],
          ['Calling-Station-Id', MAC],
        ],
      }),
      1500,
    );
    assert.equal(login, CODE.reject, "the grant's credentials from the blocked device");
    const [entry] = await listAudit(w.ctx.db, { action: 'session.block' });
    assert.equal(entry.target, w.sessionId);
    assert.equal(JSON.parse(entry.detail!).hours, 24);
    const block = await w.ctx.db.get<{ until_at: number }>('SELECT until_at FROM device_blocks');
    assert.ok(Math.abs(Number(block!.until_at) - Date.now() - 24 * 3_600_000) < 60_000);
    // Signing up again does not lift the block: it is the device that is kept off.
    const subject = await w.ctx.db.get<{ id: string }>('SELECT id FROM subjects WHERE venue_id = ?', [w.a.id]);
    const fresh = await w.ctx.db.tx((tx) =>
      createGrant(tx, w.ctx.cipher, {
        venueId: w.a.id,
        subjectId: subject!.id,
        clientMac: MAC,
        session: w.a.settings.session,
      }),
    );
    const again = await radiusAsk(
      radius.authPort,
      radiusPackage.encode({
        code: 'Access-Request',
        identifier: 9,
        secret: NAS_SECRET,
        add_message_authenticator: true,
        attributes: [
          ['User-Name', fresh.username],
          ['User-Password', fresh.password],
          ['Calling-Station-Id', MAC],
        ],
      }),
      1500,
    );
    assert.equal(again, CODE.reject, 'a new grant for the blocked device');
    assert.equal(await macAuth(radius.authPort), CODE.reject, 'MAC authentication with the new grant');
  });

  it('disconnect only lets the device straight back in; block for N hours sets N', async () => {
    assert.equal((await end('owner', { action: 'disconnect' })).status, 200);
    assert.equal(await macAuth(radius.authPort), CODE.accept, 'disconnect only: MAC authentication still accepted');
    assert.equal((await listAudit(w.ctx.db, { action: 'session.disconnect' })).length, 1);
    assert.equal((await end('operator-a', { action: 'block', hours: '2' })).status, 200);
    const block = await w.ctx.db.get<{ until_at: number }>('SELECT until_at FROM device_blocks');
    assert.ok(Math.abs(Number(block!.until_at) - Date.now() - 2 * 3_600_000) < 60_000);
    assert.equal(await macAuth(radius.authPort), CODE.reject);
  });

  it("revoke refuses the grant's credentials from any device and its MAC authentication", async () => {
    const res = await end('operator-a', { action: 'revoke' });
    assert.equal(res.status, 200, res.html);
    assert.match(res.html, /access is revoked/);
    const login = await radiusAsk(
      radius.authPort,
      radiusPackage.encode({
        code: 'Access-Request',
        identifier: 8,
        secret: NAS_SECRET,
        add_message_authenticator: true,
        attributes: [
          ['User-Name', grant.username],
          ['User-Password', grant.password],
          ['Calling-Station-Id', MAC],
        ],
      }),
      1500,
    );
    assert.equal(login, CODE.reject);
    assert.equal(await macAuth(radius.authPort), CODE.reject);
    assert.equal((await listAudit(w.ctx.db, { action: 'session.revoke' })).length, 1);
  });

  it("roles: a network admin may not revoke, an operator of another venue sees nothing; bad choices are a 400 in the admin's language; no CSRF token, no action", async () => {
    assert.equal((await end('network-admin', { action: 'revoke' })).status, 403);
    const other = await w.as('operator-b');
    await other.get('/admin');
    assert.equal((await other.post(`/admin/sessions/${w.sessionId}/end`, { action: 'block' })).status, 404);
    const bad = await end('owner', { action: 'block', hours: 'lots' });
    assert.equal(bad.status, 400);
    assert.match(bad.html, /whole number of hours/);
    const bg = await w.as('owner');
    await bg.get('/admin?lang=bg');
    assert.match((await bg.post(`/admin/sessions/${w.sessionId}/end`, { action: 'nope' })).html, /Изберете едно от/);
    const c = await w.as('owner');
    assert.equal((await c.post(`/admin/sessions/${w.sessionId}/end`, {}, { csrf: false })).status, 403);
    assert.equal(await w.ctx.db.get('SELECT 1 AS one FROM device_blocks'), undefined, 'nothing refused was written');
    assert.equal((await listAudit(w.ctx.db, { action: 'session.' })).length, 0);
  });

  it('writes the decision and its audit entry together: when the audit entry cannot be written, no block and no revocation', async () => {
    // An actor without an email breaks the audit row's NOT NULL, inside the same transaction.
    const broken = { id: null, email: null as unknown as string, ip: '127.0.0.1' };
    for (const action of ['block', 'revoke'] as const) {
      await assert.rejects(
        endSession(w.ctx, () => Promise.resolve({ result: 'ack' }), broken, w.sessionId, { action, hours: 24 }),
      );
    }
    assert.equal(await w.ctx.db.get('SELECT 1 AS one FROM device_blocks'), undefined);
    assert.equal(
      (await w.ctx.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM grants WHERE revoked_at IS NOT NULL'))!.n,
      0,
    );
    assert.equal(w.nas.received, 0, 'nothing was sent to the NAS');
    assert.equal(await macAuth(radius.authPort), CODE.accept);
  });
});
