// A guest as a browser drives the portal: follows redirects on the portal's own origin,
// keeps cookies, fills whatever form the page shows (its hidden fields copied as they
// are, the phone number, the terms box, the code read from the SMS outbox) and stops at
// the "online" page or at a redirect off the portal (the hand-back to the NAS). Nothing
// here knows the field names of the flow beyond "phone", "code" and a box about terms.
// Lean, so that it measures Foyer and not itself: node:http on keep-alive connections
// (fetch's streams and Headers cost more than the portal's own work per request), regular
// expressions compiled once, and the outbox read from where it was last read, on one open
// descriptor.
import { Agent, request } from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LoadUser } from '../support/radius-load.ts';

const SELF = fileURLToPath(import.meta.url);

export interface Form {
  action: string;
  inputs: Array<{ name: string; type: string; value: string }>;
}

const ENTITY = /&(?:quot|#39|#x27|lt|gt|amp);/g;
const ENTITIES: Record<string, string> = {
  '&quot;': '"',
  '&#39;': "'",
  '&#x27;': "'",
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
};
const decode = (s: string) => (s.includes('&') ? s.replace(ENTITY, (e) => ENTITIES[e]) : s);
const FORM = /<form\b([^>]*)>([\s\S]*?)<\/form>/gi;
const FIELD = /<(?:input|textarea|select)\b[^>]*>/gi;
const ATTR = /\s([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g;

/** A tag's attributes by lower-case name, values decoded. */
function attrs(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(ATTR)) out.set(m[1].toLowerCase(), decode(m[2] ?? m[3] ?? m[4] ?? ''));
  return out;
}

/** The POST forms of a page, in order. */
export function postForms(html: string, pageUrl: string): Form[] {
  const out: Form[] = [];
  for (const m of html.matchAll(FORM)) {
    const form = attrs(` ${m[1]}`);
    if ((form.get('method') ?? 'get').toLowerCase() !== 'post') continue;
    const inputs: Form['inputs'] = [];
    for (const t of m[2].matchAll(FIELD)) {
      const a = attrs(t[0]);
      const name = a.get('name');
      if (name) inputs.push({ name, type: (a.get('type') ?? 'text').toLowerCase(), value: a.get('value') ?? '' });
    }
    out.push({ action: new URL(form.get('action') ?? '', pageUrl).href, inputs });
  }
  return out;
}

const CODE = /\b(\d{4,8})\b/;

/** Codes from the console gateway's outbox as it grows, by number; each is taken once. */
export class OutboxTail {
  private offset = 0;
  private fd: number | undefined;
  private codes = new Map<string, string>();
  constructor(private readonly file: string) {}
  take(to: string): string | undefined {
    if (!this.codes.has(to)) this.read();
    const c = this.codes.get(to);
    this.codes.delete(to);
    return c;
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
  private read(): void {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.file, 'r');
      } catch {
        return; // not written yet
      }
    }
    const size = fstatSync(this.fd).size;
    if (size <= this.offset) return;
    const buf = Buffer.allocUnsafe(size - this.offset);
    const got = readSync(this.fd, buf, 0, buf.length, this.offset);
    const end = buf.lastIndexOf(10, got - 1) + 1;
    this.offset += end;
    for (const line of buf.toString('utf8', 0, end).split('\n')) {
      if (!line) continue;
      const m = JSON.parse(line) as { to: string; text: string };
      const c = CODE.exec(m.text);
      if (c) this.codes.set(m.to, c[1]);
    }
  }
}

export interface Guest {
  entry: string;
  national: string;
  e164: string;
  optIn: boolean;
  /** The address the guest's connections come from (a 127.0.0.0/8 one), when not the default. */
  localAddress?: string;
}

/** Keep-alive connections shared by every guest of this process, as many as are in flight. */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

interface Answer {
  status: number;
  location: string | undefined;
  cookies: string[] | undefined;
  body: string;
}

function send(url: URL, headers: Record<string, string>, body?: string, localAddress?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        localAddress,
        method: body ? 'POST' : 'GET',
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('error', reject);
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            cookies: res.headers['set-cookie'],
            body: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/** One complete sign-up; throws with what went wrong. */
export async function signUp(g: Guest, outbox: OutboxTail): Promise<void> {
  const jar = new Map<string, string>();
  const origin = new URL(g.entry).origin;
  const go = async (href: string, body?: string): Promise<{ url: string; html: string; offsite: boolean }> => {
    let url = new URL(href);
    for (let hops = 0; hops < 8; hops++) {
      const headers: Record<string, string> = {
        host: url.host,
        accept: 'text/html',
        'accept-language': 'en',
        'user-agent': 'FoyerBench/1.0',
      };
      if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const r = await send(url, headers, body, g.localAddress);
      for (const c of r.cookies ?? []) {
        const end = c.indexOf(';');
        const pair = end < 0 ? c : c.slice(0, end);
        const i = pair.indexOf('=');
        jar.set(pair.slice(0, i).trim(), pair.slice(i + 1));
      }
      if (r.status >= 300 && r.status < 400 && r.location) {
        const next = new URL(r.location, url);
        if (next.origin !== origin) return { url: next.href, html: '', offsite: true };
        url = next;
        body = undefined;
        continue;
      }
      if (r.status >= 400)
        throw new Error(`${r.status} from ${url.href}: ${r.body.slice(0, 200).replace(/\s+/g, ' ')}`);
      return { url: url.href, html: r.body, offsite: false };
    }
    throw new Error(`too many redirects from ${url.href}`);
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
      for (const box of form.inputs) {
        if (box.type !== 'checkbox') continue;
        if (box.name.includes('terms') || (g.optIn && box.name.includes('sms')))
          fields.set(box.name, box.value || 'on');
      }
    } else {
      let code: string | undefined;
      for (let tries = 0; !(code = outbox.take(g.e164)); tries++) {
        if (tries > 1000) throw new Error(`no code for ${g.e164} in the outbox`);
        await new Promise((r) => setTimeout(r, 5));
      }
      fields.set('code', code);
    }
    page = await go(form.action, fields.toString());
  }
  throw new Error(`not online after 6 forms: ${page.url}`);
}

/**
 * `count` devices sign up through the portal at `base` as browsers would, 16 at once (numbers
 * 089…, MACs 02:00:00:…, from `first`); the users a NAS's MAC authentication of them names
 * (CoovaChilli's MAC format: the MAC as user name, password and Calling-Station-Id).
 */
export async function signUpDevices(
  base: string,
  slug: string,
  outboxFile: string,
  count: number,
  first = 0,
): Promise<LoadUser[]> {
  const tail = new OutboxTail(outboxFile);
  const users: LoadUser[] = [];
  let next = first;
  try {
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < first + count) {
          const i = next++;
          const national = `089${String(i).padStart(7, '0')}`;
          const mac = (0x020000000000 + i)
            .toString(16)
            .padStart(12, '0')
            .replace(/(..)(?!$)/g, '$1:');
          await signUp(
            {
              entry: `${base}/p/${slug}?mac=${mac}&ip=10.1.${(i >> 8) & 255}.${i & 255}&nasid=bench-ap&ssid=Bench`,
              national,
              e164: `+359${national.slice(1)}`,
              optIn: i % 2 === 1,
            },
            tail,
          );
          const id = mac.toUpperCase().replace(/:/g, '-');
          users.push({ name: id, password: id, callingStationId: id });
        }
      }),
    );
  } finally {
    tail.close();
  }
  return users;
}

export interface ClientOptions {
  bases: string[];
  slug: string;
  outbox: string;
  concurrency: number;
  firstGuest: number;
  warmupMs: number;
  measureMs: number;
  /** Guests spread over this many loopback addresses (127.0.0.2 …), as guests behind a NAS have their own. */
  addresses?: number;
}

export interface ClientResult {
  completed: number;
  errors: number;
  lastError: string;
  cpuSeconds: number;
  wallSeconds: number;
}

/** This file in a child process of its own: guests signing up in parallel loops. */
export function runGuestClient(opts: ClientOptions): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    // BENCH_CLIENT_NODE_ARGS (e.g. --cpu-prof) to see where the client's own time goes.
    const flags = process.env.BENCH_CLIENT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', SELF, JSON.stringify(opts)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as ClientResult) : reject(new Error(`guest client exited ${code}: ${out}`)),
    );
  });
}

// As a child process: `node --import tsx guest-client.ts OPTIONS_JSON`, guests signing up
// in parallel loops; prints {completed, errors, cpuSeconds, wallSeconds} for the measured window.
if (process.argv[1]?.endsWith('guest-client.ts') && process.argv[2]) {
  const o = JSON.parse(process.argv[2]) as ClientOptions;
  const tail = new OutboxTail(o.outbox);
  let next = o.firstGuest;
  let completed = 0;
  let errors = 0;
  let lastError = '';
  const t0 = performance.now();
  const from = t0 + o.warmupMs;
  const until = from + o.measureMs;
  // CPU over the measured window exactly, as the completions are counted in it.
  let cpu0 = process.cpuUsage();
  let cpu = cpu0;
  setTimeout(() => (cpu0 = process.cpuUsage()), o.warmupMs);
  setTimeout(() => (cpu = process.cpuUsage(cpu0)), o.warmupMs + o.measureMs);
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
          localAddress: (o.addresses ?? 1) > 1 ? `127.0.0.${2 + (i % o.addresses!)}` : undefined,
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
