// Reading a vendor's redirect: the same few checks in every adapter, with one wording.
import { HandoffError } from './handoff.ts';
import { isGroupAddress, isLocallyAdministered, normaliseMac } from './device-mac.ts';
import { httpUrl } from './safe-url.ts';

export type Query = Record<string, string>;

/** First non-empty value among these parameter names (vendors vary the case and spelling). */
export function pick(q: Query, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = q[n];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/** Free text from the redirect, cut to a size nothing legitimate exceeds. */
export function text(v: string | undefined, max = 128): string | undefined {
  if (v === undefined) return undefined;
  const s = v.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max);
  return s === '' ? undefined : s;
}

/** A MAC parameter: absent is fine, present but malformed is not. */
export function macParam(raw: string | undefined, what: string): string | undefined {
  if (raw === undefined) return undefined;
  const mac = normaliseMac(raw);
  if (!mac) throw new HandoffError(`the ${what} is not a MAC address`);
  if (isGroupAddress(mac)) throw new HandoffError(`the ${what} is a group address, not a device`);
  return mac;
}

/** The client's MAC and whether it is a private (randomised) one. */
export function clientMacFields(raw: string | undefined): { clientMac?: string; clientMacPrivate?: boolean } {
  const clientMac = macParam(raw, 'client MAC address');
  return clientMac ? { clientMac, clientMacPrivate: isLocallyAdministered(clientMac) } : {};
}

/** An IP address parameter: IPv4 or IPv6 text, or undefined. */
export function ipParam(raw: string | undefined, what: string): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9a-f.:]{2,45}$/i.test(raw)) throw new HandoffError(`the ${what} is not an IP address`);
  return raw.toLowerCase();
}

/** The NAS login URL: required, and only http(s). */
export function loginUrlParam(raw: string | undefined, name: string): string {
  if (raw === undefined) throw new HandoffError(`the redirect has no login address (${name})`);
  const u = httpUrl(raw);
  if (!u) throw new HandoffError(`the login address (${name}) is not an http(s) URL`);
  return u;
}

/** Drops undefined values so `extra` stays a plain string map. */
export function compact(o: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
