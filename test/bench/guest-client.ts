// A guest as a browser drives the portal: follows redirects on the portal's own origin,
// keeps cookies, fills whatever form the page shows (its hidden fields copied as they
// are, the phone number, the terms box, the code read from the SMS outbox) and stops at
// the "online" page or at a redirect off the portal (the hand-back to the NAS). Nothing
// here knows the field names of the flow beyond "phone", "code" and a box about terms.
import { existsSync, openSync, readSync, fstatSync, closeSync } from 'node:fs';

export interface Form {
  action: string;
  inputs: Array<{ name: string; type: string; value: string }>;
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const attr = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decode(m[1] ?? m[2] ?? m[3] ?? '') : undefined;
};

/** The POST forms of a page, in order. */
export function postForms(html: string, pageUrl: string): Form[] {
  const out: Form[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    if ((attr(`<form ${m[1]}>`, 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const inputs = [...m[2].matchAll(/<(?:input|textarea|select)\b[^>]*>/gi)]
      .map((t) => ({
        name: attr(t[0], 'name') ?? '',
        type: (attr(t[0], 'type') ?? 'text').toLowerCase(),
        value: attr(t[0], 'value') ?? '',
      }))
      .filter((i) => i.name);
    out.push({ action: new URL(attr(`<form ${m[1]}>`, 'action') ?? '', pageUrl).href, inputs });
  }
  return out;
}

/** Codes from the console gateway's outbox as it grows, by number; each is taken once. */
export class OutboxTail {
  private offset = 0;
  private codes = new Map<string, string>();
  constructor(private readonly file: string) {}
  take(to: string): string | undefined {
    if (!this.codes.has(to)) this.read();
    const c = this.codes.get(to);
    this.codes.delete(to);
    return c;
  }
  private read(): void {
    if (!existsSync(this.file)) return;
    const fd = openSync(this.file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      const end = buf.lastIndexOf(10) + 1;
      this.offset += end;
      for (const line of buf.subarray(0, end).toString('utf8').split('\n').filter(Boolean)) {
        const m = JSON.parse(line) as { to: string; text: string };
        const c = /\b(\d{4,8})\b/.exec(m.text);
        if (c) this.codes.set(m.to, c[1]);
      }
    } finally {
      closeSync(fd);
    }
  }
}

export interface Guest {
  entry: string;
  national: string;
  e164: string;
  optIn: boolean;
}

/** One complete sign-up; throws with what went wrong. */
export async function signUp(g: Guest, outbox: OutboxTail): Promise<void> {
  const jar = new Map<string, string>();
  const origin = new URL(g.entry).origin;
  const go = async (url: string, body?: URLSearchParams): Promise<{ url: string; html: string; offsite: boolean }> => {
    for (let hops = 0; hops < 8; hops++) {
      const headers: Record<string, string> = {
        accept: 'text/html',
        'accept-language': 'en',
        'user-agent': 'FoyerBench/1.0',
      };
      if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      const r = await fetch(url, { method: body ? 'POST' : 'GET', body, headers, redirect: 'manual' });
      for (const c of r.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const i = pair.indexOf('=');
        jar.set(pair.slice(0, i).trim(), pair.slice(i + 1));
      }
      const location = r.headers.get('location');
      if (r.status >= 300 && r.status < 400 && location) {
        await r.arrayBuffer();
        const next = new URL(location, url);
        if (next.origin !== origin) return { url: next.href, html: '', offsite: true };
        url = next.href;
        body = undefined;
        continue;
      }
      const html = await r.text();
      if (r.status >= 400) throw new Error(`${r.status} from ${url}: ${html.slice(0, 200).replace(/\s+/g, ' ')}`);
      return { url, html, offsite: false };
    }
    throw new Error(`too many redirects from ${url}`);
  };

  let page = await go(g.entry);
  for (let step = 0; step < 6; step++) {
    if (page.offsite || new URL(page.url).pathname.endsWith('/online')) return;
    const form = postForms(page.html, page.url).find((f) =>
      f.inputs.some((i) => i.name === 'phone' || i.name === 'code'),
    );
    if (!form) throw new Error(`no phone or code form at ${page.url}`);
    const fields = new URLSearchParams();
    for (const i of form.inputs) if (i.type === 'hidden') fields.append(i.name, i.value);
    if (form.inputs.some((i) => i.name === 'phone')) {
      fields.set('phone', g.national);
      for (const box of form.inputs.filter((i) => i.type === 'checkbox')) {
        if (/terms/.test(box.name) || (g.optIn && /sms/.test(box.name))) fields.set(box.name, box.value || 'on');
      }
    } else {
      let code: string | undefined;
      for (let tries = 0; !(code = outbox.take(g.e164)); tries++) {
        if (tries > 1000) throw new Error(`no code for ${g.e164} in the outbox`);
        await new Promise((r) => setTimeout(r, 5));
      }
      fields.set('code', code);
    }
    page = await go(form.action, fields);
  }
  throw new Error(`not online after 6 forms: ${page.url}`);
}

// As a child process: `node --import tsx guest-client.ts OPTIONS_JSON`, guests signing up
// in parallel loops; prints {completed, errors, cpuSeconds, wallSeconds} for the measured window.
if (process.argv[1]?.endsWith('guest-client.ts') && process.argv[2]) {
  const o = JSON.parse(process.argv[2]) as {
    bases: string[];
    slug: string;
    outbox: string;
    concurrency: number;
    firstGuest: number;
    warmupMs: number;
    measureMs: number;
  };
  const tail = new OutboxTail(o.outbox);
  let next = o.firstGuest;
  let completed = 0;
  let errors = 0;
  let lastError = '';
  const t0 = performance.now();
  const from = t0 + o.warmupMs;
  const until = from + o.measureMs;
  let cpu0 = process.cpuUsage();
  setTimeout(() => (cpu0 = process.cpuUsage()), o.warmupMs);
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (performance.now() < until) {
        const i = next++;
        const national = `088${String(i % 10_000_000).padStart(7, '0')}`;
        const mac = (0x020000000000 + i)
          .toString(16)
          .padStart(12, '0')
          .replace(/(..)(?!$)/g, '$1:');
        const base = o.bases[i % o.bases.length];
        const g: Guest = {
          entry: `${base}/p/${o.slug}?mac=${mac}&ip=10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}&nasid=bench-ap&ssid=Bench`,
          national,
          e164: `+359${national.slice(1)}`,
          optIn: i % 2 === 1,
        };
        try {
          await signUp(g, tail);
          const t = performance.now();
          if (t >= from && t < until) completed++;
        } catch (err) {
          errors++;
          lastError = (err as Error).message;
        }
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    JSON.stringify({
      completed,
      errors,
      lastError,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      wallSeconds: o.measureMs / 1000,
    }),
  );
  process.exit(0);
}
