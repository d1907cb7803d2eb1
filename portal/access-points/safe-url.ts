// URLs arrive from the redirect, i.e. from whoever crafted the link. The guest's original
// page may only ever be a plain http(s) URL, so the portal cannot be used to bounce a guest
// to javascript:, data:, a look-alike login page with embedded credentials, and the like.
import { isIP } from 'node:net';

const MAX_URL = 2048;

/** The URL in canonical form when it is a plain absolute http(s) URL, else undefined. */
export function httpUrl(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim();
  if (s.length === 0 || s.length > MAX_URL) return undefined;
  // Control characters and backslashes are parsed differently by browsers and servers.
  if (/[\u0000-\u001f\u007f\\]/.test(s)) return undefined;
  if (!/^https?:\/\/[^/]/i.test(s)) return undefined;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  if (u.username || u.password || !u.hostname) return undefined;
  return u.href;
}

/** The guest's original page: an http(s) URL or nothing (never an error: it is only a nicety). */
export function originalUrl(...candidates: Array<string | null | undefined>): string | undefined {
  for (const c of candidates) {
    const u = httpUrl(c);
    if (u) return u;
  }
  return undefined;
}

/** A bare host name or IP literal, as vendors pass the controller's address (switchip, uamip). */
export function isHost(raw: string | null | undefined): boolean {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 253) return false;
  if (isIP(raw)) return true;
  return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(raw);
}

/** host[:port] for a URL authority; IPv6 literals need brackets. */
export function authority(host: string, port?: string | number): string {
  const h = isIP(host) === 6 ? `[${host}]` : host;
  return port === undefined || port === '' ? h : `${h}:${port}`;
}

/** A TCP port as the vendor sent it, or undefined. */
export function port(raw: string | null | undefined): number | undefined {
  if (typeof raw !== 'string' || !/^\d{1,5}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** `base` with these query parameters added (existing ones kept). */
export function withQuery(base: string, params: Record<string, string | undefined>): string {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.append(k, v);
  return u.href;
}
