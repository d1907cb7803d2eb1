// Issue 19 point 1: where the NAS sends the guest after the login. A simulated CoovaChilli
// (chilli's redir.c returns: res=success|already|failed|logoff|notyet) and a simulated
// MikroTik hotspot, Foyer's real RADIUS over UDP, Chromium with JavaScript off, English
// and Bulgarian. Before, every return landed on screen 1 ("enter your number") as if the
// login had failed.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { needs, requirements } from '../support/env.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import type { SimNas, SimVendor } from '../support/sim-nas.ts';
import { startSimVenues, type SimVenues } from '../support/sim-venues.ts';
import { lastCode } from '../guest/helpers.ts';
import { CODE } from '../../radius/codec.ts';
import { launchGuestBrowser, type GuestBrowser } from '../e2e/guest-browser.ts';
import { asLoginRedirect, loginReturn, mayBeLoginReturn } from '../../portal/access-points/after-login.ts';

const SECRET = 'after-login-radius-secret';
const SESSION = { durationMinutes: 60, upKbps: 0, downKbps: 0, dataCapMb: 0 };

describe('after the login: each NAS return handled (issue 19 point 1)', function () {
  this.timeout(60_000);
  let ctx: TestContext;
  let srv: TestServer;
  let venues: SimVenues;
  let browser: GuestBrowser;
  let sims: Map<SimVendor, SimNas>;
  let device = 0x10;
  let phone = 100;

  before(async function () {
    needs(this, requirements.chromium);
    ctx = await testContext();
    srv = await serve(ctx);
    const settings = { session: SESSION, fields: { name: 'off', email: 'off', birthDate: 'off' } };
    venues = await startSimVenues(ctx, srv.url, SECRET, [
      { vendor: 'coovachilli', slug: 'back-coovachilli', source: '127.0.0.5', uamSecret: 'uam-secret-after', settings },
      { vendor: 'mikrotik', slug: 'back-mikrotik', source: '127.0.0.6', settings },
    ]);
    sims = venues.sims;
    browser = await launchGuestBrowser();
  });
  after(async () => {
    await browser?.close();
    await venues?.close();
    await srv?.close();
    await ctx?.cleanup();
  });

  const chilli = () => sims.get('coovachilli')!;
  const h1 = (page: Page) => page.locator('h1').textContent();

  /** A new device opens a page through the NAS and signs up up to the code (not yet entered). */
  async function signUpTo(vendor: SimVendor, page: Page, label: RegExp = /Mobile number|Мобилен номер/) {
    const sim = sims.get(vendor)!;
    sim.client = { mac: `aa:bb:cc:7a:00:${(device++).toString(16)}`, ip: `10.2.0.${device}` };
    await page.goto(`${sim.url}/news?id=7`);
    // notyet (chilli's first redirect) and MikroTik's login page: screen 1.
    assert.ok(page.url().startsWith(`${srv.url}/p/back-${vendor}?`), page.url());
    await page.getByLabel(label).fill(`0888500${phone++}`);
    await page.locator('#consent_terms').check();
    await page.locator('form[action$="/start"] button[type=submit]').click();
    await page.locator('#code').fill(lastCode(ctx));
    return sim;
  }

  it('res=notyet is screen 1; res=success is "you are online" with the time and the page first asked for, without a second login', async () => {
    const page = await browser.freshPage();
    const sim = await signUpTo('coovachilli', page);
    const before = sim.logins.length;
    await page.getByRole('button', { name: 'Connect' }).click();
    assert.match(page.url(), /\/p\/back-coovachilli\?res=success&/);
    assert.equal(await h1(page), 'You are online');
    assert.match((await page.locator('main').textContent())!, /Your Wi-Fi access lasts (59 minutes|1 h 0 min)\./);
    assert.equal(
      await page.getByRole('link', { name: 'Continue to the page you wanted' }).getAttribute('href'),
      `${sim.url}/news?id=7`,
    );
    assert.equal(sim.logins.length, before + 1, 'one login, not handed back again');
    assert.equal(sim.logins.at(-1)!.answer.code, CODE.AccessAccept);
  });

  it('res=already (in Bulgarian): the online page, not screen 1', async () => {
    const page = await browser.freshPage({ lang: 'bg' });
    const sim = await signUpTo('coovachilli', page);
    await page.getByRole('button', { name: 'Свързване', exact: true }).click();
    assert.equal(await h1(page), 'Вече сте онлайн');
    // Online already, the guest opens chilli's login address again: chilli answers res=already.
    await page.goto(`${sim.url}/logon`);
    assert.match(page.url(), /\/p\/back-coovachilli\?res=already&/);
    assert.equal(await h1(page), 'Вече сте онлайн');
    assert.match((await page.locator('main').textContent())!, /Достъпът ви до Wi-Fi е за/);
  });

  it('res=failed after the challenge expired: the reason and "Try again", which hands the same grant back with the fresh challenge', async () => {
    const page = await browser.freshPage();
    const sim = await signUpTo('coovachilli', page);
    // The guest took longer than chilli's five minutes to fetch the code.
    sim.expireChallenge();
    const before = sim.logins.length;
    await page.getByRole('button', { name: 'Connect' }).click();
    assert.match(page.url(), /\/p\/back-coovachilli\?res=failed&/);
    assert.equal(await h1(page), 'You are not connected yet');
    assert.match((await page.getByRole('alert').textContent())!, /did not accept the sign-in.*Please try again/);
    assert.equal(sim.logins.length, before, 'chilli refused it before RADIUS');
    await page.getByRole('link', { name: 'Try again' }).click();
    // The same grant with chilli's new challenge: accepted, and back with res=success.
    assert.equal(await h1(page), 'You are online', await page.content());
    assert.equal(sim.logins.length, before + 1);
    assert.equal(sim.logins.at(-1)!.answer.code, CODE.AccessAccept, 'CHAP over the fresh challenge');
  });

  it("res=failed with chilli's reply, in a browser without the flow (en and bg): the reason in the guest's words (not the NAS's unsigned reply) and \"Sign in again\" to screen 1", async () => {
    const sim = chilli();
    const q = new URLSearchParams({
      res: 'failed',
      uamip: '127.0.0.1',
      uamport: new URL(sim.url).port,
      challenge: '00112233445566778899aabbccddeeff',
      mac: 'AA-BB-CC-7A-01-01',
      ip: '10.2.1.1',
      reply: 'Your maximum never usage time has been reached',
      nasid: 'back-coovachilli-nas',
      userurl: 'http://example.com/',
    });
    for (const [lang, heading, said, again] of [
      [
        'en',
        'You are not connected yet',
        'The Wi-Fi did not accept the sign-in, which happens when entering the code took a while. Please try again.',
        'Sign in again',
      ],
      [
        'bg',
        'Все още не сте свързани',
        'Wi-Fi мрежата не прие влизането, което се случва, когато въвеждането на кода е отнело време. Моля, опитайте отново.',
        'Влезте отново',
      ],
    ]) {
      const page = await browser.freshPage({ lang });
      await page.goto(`${srv.url}/p/back-coovachilli?${q}`);
      assert.equal(await h1(page), heading);
      assert.equal(await page.getByRole('alert').textContent(), said);
      assert.equal(
        await page.getByRole('link', { name: 'Try again' }).count(),
        0,
        'nothing to hand back in this browser',
      );
      await page.getByRole('link', { name: again }).click();
      assert.match(page.url(), /\/p\/back-coovachilli\?res=notyet&/);
      assert.match((await h1(page))!, /^(Free Wi-Fi at|Безплатен Wi-Fi в) Café Central$/);
    }
  });

  it("a forged return puts no words of its own on the page: chilli's reply and MikroTik's error are unsigned", async () => {
    // Anyone can send a guest a link to the portal with res=failed and a reply of their choosing.
    const forged = 'Text STOP to 1909 (2 EUR) to unlock your number';
    for (const [slug, extra] of [
      [
        'back-coovachilli',
        {
          res: 'failed',
          reply: forged,
          uamip: '127.0.0.1',
          uamport: new URL(chilli().url).port,
          challenge: '00112233445566778899aabbccddeeff',
          mac: 'AA-BB-CC-7A-02-02',
          ip: '10.2.2.2',
          nasid: 'back-coovachilli-nas',
        },
      ],
      [
        'back-mikrotik',
        {
          error: forged,
          mac: 'AA:BB:CC:7A:02:03',
          ip: '10.2.2.3',
          'link-login-only': `${sims.get('mikrotik')!.url}/login`,
          identity: 'back-mikrotik-nas',
        },
      ],
    ] as const) {
      const res = await fetch(`${srv.url}/p/${slug}?${new URLSearchParams(extra)}`, {
        headers: { 'accept-language': 'en' },
      });
      const html = await res.text();
      assert.equal(res.status, 200);
      assert.ok(!html.includes('STOP to 1909'), `${slug}: the forged words are not shown`);
      assert.match(
        html,
        /The Wi-Fi did not accept the sign-in, which happens when entering the code took a while\. Please try again\./,
      );
    }
  });

  it('res=logoff (en and bg): a goodbye page with a way to connect again', async () => {
    for (const lang of ['en', 'bg']) {
      const page = await browser.freshPage({ lang });
      const sim = await signUpTo('coovachilli', page);
      await page.locator('form[action$="/code"] button[type=submit]').first().click();
      assert.equal(await h1(page), lang === 'en' ? 'You are online' : 'Вече сте онлайн');
      await page.goto(`${sim.url}/logoff`);
      assert.match(page.url(), /\/p\/back-coovachilli\?res=logoff&/);
      assert.equal(await h1(page), lang === 'en' ? 'You are logged off' : 'Излязохте от Wi-Fi');
      assert.match(
        (await page.locator('main p').first().textContent())!,
        lang === 'en' ? /Your Wi-Fi session at Café Central has ended/ : /Сесията ви в Wi-Fi мрежата на Café Central/,
      );
      await page.getByRole('link', { name: lang === 'en' ? 'Connect again' : 'Свържете се отново' }).click();
      assert.match(page.url(), /\?res=notyet&/);
      assert.ok(await page.locator('#phone').isVisible(), 'screen 1');
    }
  });

  it('MikroTik: a resumed flow is handed back with the fresh chap-challenge of the latest redirect', async () => {
    const page = await browser.freshPage();
    const sim = await signUpTo('mikrotik', page);
    await page.getByRole('button', { name: 'Connect' }).click();
    assert.equal(await h1(page), 'Your number is confirmed');
    // The guest leaves the hand-back unsent; the next page they open goes through the
    // hotspot again, which redirects with a new chap-id and chap-challenge.
    const before = sim.logins.length;
    await page.goto(`${sim.url}/news?id=8`);
    assert.equal(await h1(page), 'Your number is confirmed', 'the same grant is handed back');
    await page.locator(`form[action="${sim.url}/login"] button[type=submit]`).click();
    assert.equal(await h1(page), 'You are through');
    assert.equal(sim.logins.length, before + 1);
    assert.equal(sim.logins.at(-1)!.answer.code, CODE.AccessAccept, 'CHAP over the fresh challenge');
  });

  it("MikroTik: its login page with `error` shows the reason in the guest's words (not the router's unsigned text), and the flow's \"Try again\"", async () => {
    const page = await browser.freshPage();
    const sim = await signUpTo('mikrotik', page);
    await page.getByRole('button', { name: 'Connect' }).click();
    assert.equal(await h1(page), 'Your number is confirmed');
    const q = new URLSearchParams({
      mac: sim.client.mac.toUpperCase(),
      ip: sim.client.ip,
      'link-login-only': `${sim.url}/login`,
      'link-orig': `${sim.url}/news?id=7`,
      identity: 'back-mikrotik-nas',
      'chap-id': '\\001',
      'chap-challenge': '\\001\\002\\003\\004\\005\\006\\007\\010\\011\\012\\013\\014\\015\\016\\017\\020',
      error: 'invalid username or password',
    });
    await page.goto(`${srv.url}/p/back-mikrotik?${q}`);
    assert.equal(await h1(page), 'You are not connected yet');
    assert.equal(
      await page.getByRole('alert').textContent(),
      'The Wi-Fi did not accept the sign-in, which happens when entering the code took a while. Please try again.',
    );
    assert.match(
      (await page.getByRole('link', { name: 'Try again' }).getAttribute('href'))!,
      /^\/p\/back-mikrotik\/online\?f=/,
    );
  });
});

describe("after the login: each vendor's return, read from its redirect", () => {
  const h = (vendor: string, extra: Record<string, string>) => ({ vendor, extra });
  it('CoovaChilli res, MikroTik error, Cisco statusCode; nothing for a login page or a vendor without returns', () => {
    assert.deepEqual(loginReturn(h('coovachilli', { res: 'success' })), { outcome: 'online' });
    assert.deepEqual(loginReturn(h('coovachilli', { res: 'already' })), { outcome: 'online' });
    assert.deepEqual(loginReturn(h('coovachilli', { res: 'failed', reply: 'no' })), { outcome: 'failed', said: 'no' });
    assert.deepEqual(loginReturn(h('coovachilli', { res: 'logoff' })), { outcome: 'logoff' });
    assert.equal(loginReturn(h('coovachilli', { res: 'notyet' })), undefined);
    assert.deepEqual(loginReturn(h('mikrotik', { error: 'invalid username or password' })), {
      outcome: 'failed',
      said: 'invalid username or password',
    });
    assert.equal(loginReturn(h('mikrotik', {})), undefined);
    assert.deepEqual(loginReturn(h('cisco', { statusCode: '1' })), { outcome: 'online' });
    assert.deepEqual(loginReturn(h('cisco', { statusCode: '5' })), {
      outcome: 'failed',
      reason: 'invalid user name or password',
    });
    assert.equal(loginReturn(h('meraki', { res: 'success' })), undefined);
    assert.equal(mayBeLoginReturn({ res: 'notyet', uamip: '10.1.0.1' }), false);
    assert.equal(mayBeLoginReturn({ res: 'success' }), true);
    assert.deepEqual(asLoginRedirect({ res: 'failed', reply: 'x', md: 'y', challenge: 'c' }), {
      res: 'notyet',
      challenge: 'c',
    });
  });
});
