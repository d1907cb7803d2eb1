// Chromium for the guest end-to-end suites: one browser per suite, a fresh profile
// directory, JavaScript off (as in the strictest captive mini-browsers).
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { CHROMIUM_PATH } from '../support/env.ts';

export interface GuestBrowser {
  context: BrowserContext;
  /** A new tab with no cookies: what a reopened mini-browser looks like. */
  freshPage(opts?: { lang?: string; width?: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function launchGuestBrowser(): Promise<GuestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'foyer-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    javaScriptEnabled: false,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async freshPage(opts = {}) {
      // Open the new tab before closing the old ones: a persistent context with no page
      // left is a browser on its way out.
      const page = await context.newPage();
      for (const p of context.pages()) if (p !== page) await p.close();
      await context.clearCookies();
      await page.setViewportSize({ width: opts.width ?? 360, height: 740 });
      await page.setExtraHTTPHeaders({ 'Accept-Language': opts.lang ?? 'en' });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
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

/** axe-core inside the page (evaluated by the driver; the page itself runs no script). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // axe's own timers need script execution; it is switched on for the audit only.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
  try {
    await page.evaluate(axeSource);
    return await runAxe(page);
  } finally {
    await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
    await cdp.detach();
  }
}

function runAxe(page: Page): Promise<AxeViolation[]> {
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}
