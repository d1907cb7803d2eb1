// End to end in Chromium: an operator signs in, changes the SMS wording, previews and
// publishes it; a guest then signs up at the venue, the ledger event names the new
// template version, and `foyer consents evidence` shows the new wording.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { needs, requirements, CHROMIUM_PATH } from '../support/env.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { serve, type TestServer } from '../support/http.ts';
import { foyer } from '../support/cli.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { addAdmin } from '../../portal/accounts/accounts.ts';
import { loadTemplateVersion } from '../../portal/consent/template-versions.ts';
import type { ConsentEventRow } from '../../portal/consent/event.ts';
import { outbox, lastCode, waitFor } from '../guest/helpers.ts';

const ARTIFACTS = 'test-artifacts/admin';
const NEW_SMS = 'Yes, text me the Café Central deals of the week. Reply STOP at any time to opt out.';
const NEW_WELCOME = 'Free Wi-Fi with our compliments – the new wording';
const PASSWORD = 'operator password 1';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical findings on the open page (evaluated over the DevTools protocol, so the CSP stays on). */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    return (await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('e2e: an operator publishes new wording and a guest signs up under it', function () {
  this.timeout(120000);
  let ctx: TestContext;
  let srv: TestServer;
  let browser: BrowserContext;
  let profile: string;
  let page: Page;

  before(async function () {
    needs(this, requirements.chromium);
    ctx = await testContext();
    const venue = await createVenue(ctx.db, {
      slug: 'cafe',
      name: 'Café Central',
      country: 'BG',
      settings: venueSettingsSchema.parse({ contact: 'privacy@cafe.example', offers: { sms: true, email: false } }),
    });
    await addAdmin(ctx.db, { email: 'op@cafe.example', password: PASSWORD, role: 'operator', venueIds: [venue.id] });
    await addAdmin(ctx.db, { email: 'owner@cafe.example', password: PASSWORD, role: 'owner' });
    srv = await serve(ctx);
    profile = mkdtempSync(join(tmpdir(), 'foyer-chromium-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1200, height: 900 },
      locale: 'en-GB',
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  after(async () => {
    await browser?.close();
    await srv?.close();
    await ctx?.cleanup();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  it('signs in, edits, previews and publishes', async () => {
    await page.goto(`${srv.url}/admin/venues/cafe/branding`);
    assert.match(page.url(), /\/admin\/login\?next=/);
    await shot('01-login');
    await page.fill('#email', 'op@cafe.example');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/admin\/venues\/cafe\/branding$/);
    // Issue 19.10: a phone-sized preview of the draft beside the form, loaded (not blocked by the frame policy).
    const frame = (await page.$('.phone-preview iframe'))!;
    const [fb, form] = [
      (await frame.boundingBox())!,
      (await (await page.$('form[action$="/branding"]'))!.boundingBox())!,
    ];
    assert.equal(Math.round(fb.width), 360);
    assert.ok(fb.x >= form.x + form.width, `preview at x=${fb.x}, form ends at ${form.x + form.width}`);
    assert.ok(fb.y < 900, 'the preview is on the first screen');
    const inner = await (await frame.contentFrame())!.textContent('body');
    assert.match(inner!, /Café Central/);
    await shot('02-branding');

    await page.fill('#wording-en-sms', NEW_SMS);
    await page.fill('#wording-en-welcome', NEW_WELCOME);
    await page.click('button[value=preview]');
    await page.waitForURL(/\/preview$/);
    assert.ok((await page.textContent('body'))!.includes(NEW_SMS));
    assert.ok((await page.textContent('body'))!.includes(NEW_WELCOME));
    await shot('03-preview');

    await page.goto(`${srv.url}/admin/venues/cafe/branding`);
    await page.click('form[action$="/publish"] button');
    // Issue 19.8: the SMS offers wording changes, so publishing asks first and says so.
    await page.waitForSelector('text=This changes the consent wording in English');
    assert.match((await page.textContent('[role=alert]'))!, /English: SMS offers/);
    await shot('04a-publish-warning');
    await page.click('form[action$="/publish"] button');
    await page.waitForURL(/\/versions\?done=published$/);
    assert.match((await page.textContent('[role=status]'))!, /Published/);
    await shot('04-versions');
    servedEn = ((await page.textContent('#served-en')) ?? '').trim();
    assert.match(servedEn, /^[0-9a-f]{64}$/);
    await page.click('form[action$="/versions/compare"] button');
    await page.waitForURL(/\/versions\/compare\?/);
    assert.match(page.url(), /[?&]a=1/);
    assert.match(page.url(), /[?&]b=2/);
    assert.ok((await page.locator('ins').allTextContents()).join(' ').includes('Reply STOP'));
    await shot('05-compare');
  });

  let event: ConsentEventRow;
  let servedEn = '';

  it('a guest signs up and the ledger names the published version', async () => {
    const guest = await browser.newPage();
    await guest.goto(`${srv.url}/p/cafe?mac=AA-BB-CC-DD-EE-01&ip=10.0.0.5&nasid=ap-lobby&ssid=Guest`);
    assert.ok((await guest.textContent('body'))!.includes(NEW_WELCOME));
    assert.ok((await guest.textContent('body'))!.includes(NEW_SMS));
    await guest.fill('#phone', '0881234567');
    await guest.check('#consent_terms');
    await guest.check('#consent_sms');
    const sent = outbox(ctx).length;
    await guest.click('form[action$="/start"] button[type=submit]');
    await guest.waitForURL(/\/p\/cafe\/code/);
    await waitFor(() => (outbox(ctx).length > sent ? true : undefined));
    await guest.fill('#code', lastCode(ctx));
    await guest.click('form[action$="/code"] button[type=submit]');
    await guest.waitForLoadState('load');
    await guest.close();

    event = (await ctx.db.get<ConsentEventRow>(
      "SELECT * FROM consent_events WHERE purpose = 'sms' ORDER BY seq DESC LIMIT 1",
    ))!;
    assert.ok(event, 'an SMS consent event was recorded');
    assert.equal(event.decision, 'granted');
    const version = await loadTemplateVersion<{ wording: { sms?: string } }>(ctx.db, event.template_version_id!);
    assert.equal(version!.content.wording.sms, NEW_SMS);
    assert.equal(event.template_version_id, servedEn, 'the version the console said guests are served');
  });

  it('the operator sees the event with the page as shown, and `foyer consents evidence` shows the new wording', async () => {
    await page.goto(`${srv.url}/admin/venues/cafe/consents?number=${encodeURIComponent('+359 88 123 4567')}`);
    await shot('06-consents');
    await page.goto(`${srv.url}/admin/venues/cafe/consents/event/${event.id}`);
    assert.ok((await page.textContent('#agreed-text'))!.includes(NEW_SMS));
    assert.match((await page.textContent('#text-hash-check'))!, /is the one recorded/);
    await shot('07-evidence');
    await page.goto(`${srv.url}/admin/venues/cafe`);
    await shot('08-dashboard');
    await page.goto(`${srv.url}/admin/venues/cafe/settings`);
    await shot('09-settings');

    const problems: string[] = [];
    for (const path of [
      '/admin',
      '/admin/venues/cafe',
      '/admin/venues/cafe/branding',
      '/admin/venues/cafe/versions',
      '/admin/venues/cafe/versions/compare?a=1&b=2',
      '/admin/venues/cafe/settings',
      '/admin/venues/cafe/consents',
      `/admin/venues/cafe/consents/event/${event.id}`,
    ]) {
      await page.goto(`${srv.url}${path}`);
      for (const p of await accessibilityProblems(page)) problems.push(`${path} ${p}`);
    }
    assert.deepEqual(problems, []);

    const r = await foyer(['consents', 'evidence', event.id], {
      DATA_DIR: ctx.dir,
      DATABASE_URL: ctx.config.databaseUrl,
      SECRET_KEY: ctx.config.SECRET_KEY!,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(NEW_SMS.replace(/'/g, '&#39;')) || r.stdout.includes(NEW_SMS), r.stdout.slice(0, 2000));
  });

  it('an owner adds a NAS, sees the settings for the equipment, sessions, accounts and the audit log, in both languages', async () => {
    await page.goto(`${srv.url}/admin`);
    await page.locator('form[action="/admin/logout"] button').click();
    await page.waitForURL(/\/admin\/login$/);
    await page.fill('#email', 'owner@cafe.example');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/admin$/);

    await page.goto(`${srv.url}/admin/network/nas/new`);
    await shot('10-nas-new');
    await page.fill('#name', 'lobby-ap');
    await page.fill('#address', '192.0.2.10');
    await page.selectOption('#vendor', 'mikrotik');
    await page.click('form[action="/admin/network/nas/new"] button[type=submit]');
    await page.waitForSelector('#nas-secret');
    assert.ok(((await page.textContent('#nas-secret')) ?? '').trim().length >= 16);
    await shot('11-nas-setup');
    const problems: string[] = [];
    for (const p of await accessibilityProblems(page)) problems.push(`nas-setup ${p}`);
    for (const [name, path] of [
      ['12-nas-list', '/admin/network/nas'],
      ['13-sessions', '/admin/network/sessions'],
      ['14-accounts', '/admin/accounts'],
      ['15-audit', '/admin/audit'],
      ['16-branding-bg', '/admin/venues/cafe/branding?lang=bg'],
      ['17-settings-bg', '/admin/venues/cafe/settings'],
    ]) {
      await page.goto(`${srv.url}${path}`);
      await shot(name);
      for (const p of await accessibilityProblems(page)) problems.push(`${path} ${p}`);
    }
    await page.goto(`${srv.url}/admin/network/nas/new`);
    for (const p of await accessibilityProblems(page)) problems.push(`nas-new ${p}`);
    assert.deepEqual(problems, []);
    assert.match((await page.textContent('h1'))!, /NAS клиент/);
  });
});
