// Re-consent after a publish: the consent stands for the wording it was given under, and
// a returning device is sent back to the portal to be asked again.
import assert from 'node:assert/strict';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { Browser, formFields, lastCode, makeVenue } from '../guest/helpers.ts';
import { findVenueBySlug, updateVenueSettings } from '../../portal/venues/venues.ts';
import { outdatedConsents } from '../../portal/consent/reconsent.ts';
import { grantStateById } from '../../portal/access/grant-state.ts';
import { exportActiveSms } from '../../portal/consent/lists.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { startRadius, type RadiusService } from '../../portal/radius-main.ts';
import { radiusPackage } from '../../radius/codec.ts';
import { exchange } from '../support/radius-harness.ts';

describe('re-consent after the wording changes', function () {
  this.timeout(30_000);
  let ctx: TestContext;
  let srv: TestServer;
  let radius: RadiusService;
  let nasId: string;
  before(async () => {
    ctx = await testContext();
    const venue = await makeVenue(ctx);
    nasId = (
      await addNas(ctx.db, ctx.cipher, {
        name: 'ap',
        address: '127.0.0.1',
        secret: 'reconsent-secret',
        vendor: 'generic',
        venueId: venue.id,
      })
    ).id;
    srv = await serve(ctx);
    radius = await startRadius(ctx, {
      authPort: 0,
      acctPort: 0,
      host: '127.0.0.1',
      outdatedConsents: (g) => outdatedConsents(ctx, g),
    });
  });
  after(async () => {
    await radius.stop();
    await srv.close();
    await ctx.cleanup();
  });

  /** MAC authentication of a returning device, as a NAS sends it. */
  async function macAuth(mac: string): Promise<{ code: number; reply: string }> {
    const id = mac.toUpperCase().replace(/:/g, '-');
    const req = radiusPackage.encode({
      code: 'Access-Request',
      identifier: 7,
      secret: 'reconsent-secret',
      add_message_authenticator: true,
      attributes: [
        ['User-Name', id],
        ['User-Password', id],
        ['Calling-Station-Id', id],
      ],
    });
    const answer = await exchange(req, radius.authPort, '127.0.0.1', 1500);
    assert.ok(answer, 'RADIUS answered');
    const attrs = radiusPackage.decode({ packet: answer!, secret: 'reconsent-secret' }).attributes;
    return { code: answer![0], reply: String(attrs['Reply-Message'] ?? '') };
  }

  let device = 0;
  /** `again`: the same device as last time, as a returning guest. */
  async function signUp(sms: boolean, again = false): Promise<string> {
    const b = new Browser(srv.url);
    const first = await b.get(`/p/cafe?mac=02:00:00:00:00:0${again ? device : ++device}`);
    const start = await b.post('/p/cafe/start', {
      ...formFields(first.html, '/start'),
      phone: '0881234567',
      consent_terms: 'yes',
      ...(sms ? { consent_sms: 'yes' } : {}),
    });
    const screen2 = await b.get(start.location!);
    const done = await b.post('/p/cafe/code', { ...formFields(screen2.html, '/code'), code: lastCode(ctx) });
    assert.ok(done.status < 400, done.html);
    const g = await ctx.db.get<{ id: string }>('SELECT id FROM grants ORDER BY created_at DESC LIMIT 1');
    return g!.id;
  }

  /** The guest went online with the grant (as the NAS's accounting records it), and left. */
  async function wasOnline(grantId: string): Promise<void> {
    const t = Date.now();
    await ctx.db.run(
      `INSERT INTO sessions (id, nas_id, acct_session_id, grant_id, mac, started_at, updated_at, stopped_at, interim_interval, stale_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 300, ?)`,
      [`s-${grantId}`, nasId, `a-${grantId}`, grantId, `02:00:00:00:00:0${device}`, t, t, t, t],
    );
  }

  /** The grant's outdated consents, as MAC authentication asks for them. */
  const outdated = async (grantId: string) =>
    outdatedConsents(ctx, (await grantStateById(ctx.db, grantId, Date.now()))!);

  async function activeWording(): Promise<string[]> {
    const venue = (await findVenueBySlug(ctx.db, 'cafe'))!;
    let s = '';
    for await (const c of exportActiveSms(ctx.db, ctx.cipher, venue.id, 'json')) s += c;
    return JSON.parse(s).map((r: { notice_version: string }) => r.notice_version);
  }

  it('finds nothing to ask while the wording is unchanged, and lets the device back in by MAC', async () => {
    const grant = await signUp(true);
    assert.deepEqual(await outdated(grant), []);
    assert.equal((await macAuth(`02:00:00:00:00:0${device}`)).code, 2);
  });

  it('asks again for the purposes whose wording changed, and the old consent keeps its old wording', async () => {
    const grant = await signUp(true);
    await wasOnline(grant);
    const before = await activeWording();
    const venue = (await findVenueBySlug(ctx.db, 'cafe'))!;
    await updateVenueSettings(ctx.db, venue.id, {
      ...venue.settings,
      wording: { en: { sms: 'Weekly offers from Café Central by SMS. Reply STOP to stop.' } },
    });
    assert.deepEqual(await outdated(grant), ['sms']);
    // The remembered device is sent to the portal rather than let in under the old wording.
    const refused = await macAuth(`02:00:00:00:00:0${device}`);
    assert.equal(refused.code, 3);
    assert.match(refused.reply, /changed the terms/);
    // Until the guest answers, the list still shows the consent under the wording it was given for.
    assert.deepEqual(await activeWording(), before);

    // Asked again at the portal, under the new wording: nothing left to ask, and the
    // device is let in by MAC at once (its refused grant was kept by the RADIUS cache).
    const again = await signUp(true, true);
    assert.deepEqual(await outdated(again), []);
    assert.equal((await macAuth(`02:00:00:00:00:0${device}`)).code, 2);
    const after = await activeWording();
    assert.equal(after.length, 1);
    assert.notEqual(after[0], before[0], 'the list now names the new version');
  });
});
