// Test helpers for the guest pages: a venue, a server, forms read out of HTML, the
// console gateway's outbox.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import type { AppContext } from '../../portal/context.ts';

export const NUMBER = '0881234567';
export const E164 = '+359881234567';
/** A generic gateway's redirect (portal/access-points/generic.ts names). */
export const ENTRY =
  '?mac=AA-BB-CC-DD-EE-01&ip=10.0.0.5&nas=ap-lobby&ap=00:11:22:33:44:55&ssid=Guest&url=http%3A%2F%2Fexample.com%2Fnews';

export async function makeVenue(
  ctx: AppContext,
  slug = 'cafe',
  settings: Record<string, unknown> = {},
): Promise<Venue> {
  return createVenue(ctx.db, {
    slug,
    name: 'Café Central',
    country: 'BG',
    settings: venueSettingsSchema.parse({
      contact: 'privacy@cafe.example',
      offers: { sms: true, email: true },
      fields: { name: 'optional', email: 'optional', birthDate: 'off' },
      ...settings,
    }),
  });
}

/** The hidden and visible input values of the first form whose action ends with `action`. */
export function formFields(html: string, action: string): Record<string, string> {
  const forms = html.split('<form').slice(1);
  const form = forms.find((f) => new RegExp(`action="[^"]*${action}"`).test(f));
  if (!form) throw new Error(`no form posting to ${action} in:\n${html}`);
  const out: Record<string, string> = {};
  for (const m of form.split('</form>')[0].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    out[m[1]] = m[2].replace(/&amp;/g, '&');
  return out;
}

export interface Sent {
  to: string;
  text: string;
  at: string;
}

export function outbox(ctx: AppContext): Sent[] {
  const file = ctx.config.smsOutbox;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Sent);
}

export function lastCode(ctx: AppContext): string {
  const all = outbox(ctx);
  const m = /\b(\d{4,8})\b/.exec(all.at(-1)?.text ?? '');
  if (!m) throw new Error(`no code in the outbox: ${JSON.stringify(all.at(-1))}`);
  return m[1];
}

export async function waitFor<T>(fn: () => T | undefined, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A small client that keeps cookies (or not) and never follows redirects. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly opts: { keepCookies?: boolean; lang?: string } = {},
  ) {}

  async get(path: string): Promise<{ status: number; html: string; location: string | null; headers: Headers }> {
    return this.req(path, { method: 'GET' });
  }

  async post(
    path: string,
    fields: Record<string, string>,
  ): Promise<{ status: number; html: string; location: string | null; headers: Headers }> {
    return this.req(path, {
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  private async req(path: string, init: RequestInit) {
    const headers: Record<string, string> = {
      ...(init.headers as Record<string, string>),
      accept: 'text/html',
      'user-agent': 'FoyerTest/1.0',
    };
    if (this.opts.lang) headers['accept-language'] = this.opts.lang;
    if (this.opts.keepCookies !== false && this.cookies.size)
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return { status: r.status, html: await r.text(), location: r.headers.get('location'), headers: r.headers };
  }
}

/**
 * `b` from a NAS redirect at /p/cafe (ap-lobby, the device's `mac` and `ip`) to the code page
 * for `national` (a Bulgarian number), terms and SMS offers ticked; the code sent there.
 */
export async function toCodePage(ctx: AppContext, b: Browser, national: string, mac: string, ip: string) {
  const e164 = `+359${national.slice(1)}`;
  const first = await b.get(`/p/cafe?mac=${mac}&ip=${ip}&nas=ap-lobby`);
  assert.equal(first.status, 200, first.html);
  const started = await b.post('/p/cafe/start', {
    ...formFields(first.html, '/start'),
    phone: national,
    consent_terms: 'yes',
    consent_sms: 'yes',
  });
  assert.equal(started.status, 303, started.html);
  const page = await b.get(started.location!);
  assert.equal(page.status, 200, page.html);
  const code = /\b(\d{4,8})\b/.exec(
    outbox(ctx)
      .filter((m) => m.to === e164)
      .at(-1)?.text ?? '',
  )?.[1];
  assert.ok(code, `a code went to ${e164}`);
  return { e164, code, page, started };
}
