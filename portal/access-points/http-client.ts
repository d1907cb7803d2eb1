// A small JSON/form client for NAS management APIs (UniFi, Ruckus NBI, OPNsense). Built on
// node:http(s) rather than fetch because controllers mostly present self-signed
// certificates, and trusting one private CA per controller needs per-request TLS options.
import http from 'node:http';
import https from 'node:https';
import type { ControllerSettings } from './handoff.ts';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpCall {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

const MAX_BODY = 1 << 20;

export function httpCall(
  url: string,
  call: HttpCall,
  tls: Pick<ControllerSettings, 'ca' | 'insecureTls' | 'timeoutMs'> = {},
): Promise<HttpResult> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const headers: Record<string, string | number> = { accept: 'application/json', ...call.headers };
  if (call.body !== undefined) headers['content-length'] = Buffer.byteLength(call.body);
  const options: https.RequestOptions = { method: call.method, headers, timeout: tls.timeoutMs ?? 10_000 };
  if (u.protocol === 'https:') {
    if (tls.ca) options.ca = tls.ca;
    if (tls.insecureTls) options.rejectUnauthorized = false;
  }
  return new Promise((resolve, reject) => {
    const req = mod.request(u, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new Error('response too large'));
        else chunks.push(c);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${u.host} within ${options.timeout} ms`)));
    req.on('error', reject);
    if (call.body !== undefined) req.write(call.body);
    req.end();
  });
}

/** Cookies a controller sets at login, sent back on later calls. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(headers: http.IncomingHttpHeaders): void {
    for (const line of headers['set-cookie'] ?? []) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
