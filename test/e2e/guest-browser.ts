// Chromium for the guest end-to-end suites: one browser per suite, JavaScript off in
// the guest's contexts (as in the strictest captive mini-browsers). Playwright refuses a
// --user-data-dir argument to launch(); it gives every launch a fresh profile directory
// of its own and removes it on close, which is what the flag was for.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CHROMIUM_PATH } from '../support/env.ts';

export interface GuestBrowser {
  browser: Browser;
  /** A new mini-browser: no cookies, nothing cached. The previous one is closed. */
  freshPage(opts?: { lang?: string; width?: number }): Promise<Page>;
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchGuestBrowser(): Promise<GuestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  let current: BrowserContext | undefined;
  return {
    browser,
    async freshPage(opts = {}) {
      await current?.close();
      current = await browser.newContext({
        javaScriptEnabled: false,
        viewport: { width: opts.width ?? 360, height: 740 },
        extraHTTPHeaders: { 'Accept-Language': opts.lang ?? 'en' },
      });
      return current.newPage();
    },
    async close() {
      await browser.close();
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * axe-core on exactly what the guest's page shows. axe needs timers, which do not run
 * with JavaScript off, so the page's HTML is replayed at the same URL in a context with
 * JavaScript on; its stylesheets still come from Foyer.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const html = await page.content();
  const url = page.url();
  const browser = page.context().browser()!;
  const viewport = page.viewportSize() ?? { width: 360, height: 740 };
  const audit = await browser.newContext({ javaScriptEnabled: true, viewport });
  try {
    const p = await audit.newPage();
    await p.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await p.goto(url);
    await p.evaluate(axeSource);
    return await p.evaluate(async () => {
      const axe = (
        globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }
      ).axe;
      const r = await axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        resultTypes: ['violations'],
      });
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
      }));
    });
  } finally {
    await audit.close();
  }
}
