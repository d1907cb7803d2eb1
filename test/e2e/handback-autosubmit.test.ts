// Issue 19 point 6: a form hand-back (MikroTik here; Ruckus, Cisco, Aruba, Meraki, pfSense
// and OPNsense hand back the same way) submits itself where scripts run, through the one
// small script the CSP allows by its hash (no inline handlers, no 'unsafe-inline'), and
// keeps its button for a mini-browser with JavaScript off. Through a simulated MikroTik
// hotspot and Foyer's real RADIUS, in Chromium.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { needs, requirements, CHROMIUM_PATH } from '../support/env.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { startSimNas, type RadiusTarget, type SimNas } from '../support/sim-nas.ts';
import { lastCode, makeVenue } from '../guest/helpers.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { startRadius, type RadiusService } from '../../portal/radius-main.ts';
import { CODE } from '../../radius/codec.ts';
import { CHROMIUM_ARGS } from './guest-browser.ts';

describe('form hand-back submits itself with JavaScript, keeps its button without (issue 19 point 6)', function () {
  this.timeout(60_000);
  let ctx: TestContext;
  let srv: TestServer;
  let radius: RadiusService;
  let sim: SimNas;
  let browser: Browser;
  const target: RadiusTarget = {
    host: '127.0.0.1',
    authPort: 0,
    acctPort: 0,
    secret: 'sim-mikrotik-secret',
    source: '127.0.0.4',
  };

  before(async function () {
    needs(this, requirements.chromium);
    ctx = await testContext();
    srv = await serve(ctx);
    const venue = await makeVenue(ctx, 'hotspot');
    sim = await startSimNas({
      vendor: 'mikrotik',
      portalUrl: `${srv.url}/p/hotspot`,
      radius: target,
      nasId: 'hotspot-mt',
    });
    await addNas(ctx.db, ctx.cipher, {
      name: 'hotspot-mt',
      address: target.source!,
      secret: target.secret,
      vendor: 'mikrotik',
      venueId: venue.id,
      nasIdentifier: 'hotspot-mt',
      loginHosts: [sim.host],
    });
    radius = await startRadius(ctx, { authPort: 0, acctPort: 0, host: '127.0.0.1' });
    Object.assign(target, { authPort: radius.authPort, acctPort: radius.acctPort });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await sim?.close();
    await radius?.stop();
    await srv?.close();
    await ctx?.cleanup();
  });

  /** Screen 1 and the code; returns the hand-back page's HTML and headers as the browser got them. */
  async function upToHandBack(page: Page, phone: string) {
    // Kept on the way through: the page navigates away before its body could be read afterwards.
    let answer: { html: string; headers: Record<string, string> } | undefined;
    await page.route(`${srv.url}/p/hotspot/code`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch({ maxRedirects: 0 });
      answer = { html: await response.text(), headers: response.headers() };
      await route.fulfill({ response });
    });
    await page.goto(`${sim.url}/news?id=7`);
    assert.ok(page.url().startsWith(`${srv.url}/p/hotspot?`), page.url());
    await page.getByLabel('Mobile number').fill(phone);
    await page.locator('#consent_terms').check();
    await page.locator('form[action$="/start"] button[type=submit]').click();
    await page.locator('#code').fill(lastCode(ctx));
    await page.getByRole('button', { name: 'Connect' }).click();
    assert.ok(answer, 'the code was answered');
    return answer;
  }

  it('JavaScript on: the form reaches the NAS without a tap, allowed by the CSP through a hash', async () => {
    sim.client = { mac: 'aa:bb:cc:6e:00:01', ip: '10.1.0.61' };
    const context = await browser.newContext({ javaScriptEnabled: true, viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => m.type() === 'error' && refused.push(m.text()));
    const before = sim.logins.length;
    const handBack = await upToHandBack(page, '0888300001');
    // The hand-back page itself: one script, no inline handlers, the policy names its hash.
    const html = handBack.html;
    assert.match(html, /<form method="post" action="http:\/\/127\.0\.0\.1:\d+\/login">/);
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
    const csp = handBack.headers['content-security-policy'];
    const scripts = [...html.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1, 'one script');
    assert.equal(/<script[^>]*\ssrc=/.test(html), false, 'nothing loaded');
    assert.match(
      csp,
      new RegExp(
        `script-src 'sha256-${createHash('sha256').update(scripts[0]).digest('base64').replace(/[+/]/g, '\\$&')}'; `,
      ),
      'the policy names exactly that script',
    );
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    // No tap: the browser arrives at the page it first asked for, through the NAS.
    await page.waitForURL(`${sim.url}/news?id=7`);
    assert.equal(await page.locator('h1').textContent(), 'You are through');
    assert.equal(sim.logins.length, before + 1);
    assert.equal(sim.logins.at(-1)!.answer.code, CODE.AccessAccept);
    assert.deepEqual(
      refused.filter((t) => /Content Security Policy/i.test(t)),
      [],
      'the CSP refused nothing',
    );
    await context.close();
  });

  it('JavaScript off: the button is there and works', async () => {
    sim.client = { mac: 'aa:bb:cc:6e:00:02', ip: '10.1.0.62' };
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    const before = sim.logins.length;
    await upToHandBack(page, '0888300002');
    assert.equal(await page.locator('h1').textContent(), 'Your number is confirmed');
    const button = page.locator(`form[action="${sim.url}/login"] button[type=submit]`);
    assert.ok(await button.isVisible());
    const box = (await button.boundingBox())!;
    assert.ok(box.y + box.height <= 740, 'the button is on the first screen');
    assert.equal(sim.logins.length, before, 'nothing reached the NAS before the tap');
    await button.click();
    assert.equal(page.url(), `${sim.url}/news?id=7`);
    assert.equal(await page.locator('h1').textContent(), 'You are through');
    assert.equal(sim.logins.length, before + 1);
    assert.equal(sim.logins.at(-1)!.answer.code, CODE.AccessAccept);
    await context.close();
  });
});
