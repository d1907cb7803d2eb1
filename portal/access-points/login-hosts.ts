// Where a NAS may send a guest with their credentials. The login address in a redirect
// came through the guest's browser, i.e. from whoever crafted the link; only hosts the
// venue configured for that NAS (or the NAS's own single address, never every host of a
// range it is registered by) may receive a hand-back.
import { BlockList, isIP } from 'node:net';
import { isHost } from './safe-url.ts';
import { vendorLoginHosts } from './registry.ts';

/**
 * One configured entry in canonical form: `host`, `host:port`, `[v6]:port` or `*.domain`
 * (lower case); a pasted URL is reduced to its host and port. Undefined when unusable.
 */
export function normaliseLoginHost(raw: string): string | undefined {
  let s = raw.trim().toLowerCase();
  if (s === '') return undefined;
  if (s.includes('://')) {
    try {
      const u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
      s = u.host;
    } catch {
      return undefined;
    }
  }
  if (s.startsWith('*.')) return isHost(s.slice(2)) && s.slice(2).includes('.') ? s : undefined;
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(s);
  if (v6) return isIP(v6[1]) === 6 && validPort(v6[2]) ? s : undefined;
  if (isIP(s) === 6) return `[${s}]`;
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(s);
  if (!m || !isHost(m[1]) || !validPort(m[2])) return undefined;
  return s;
}

function validPort(p: string | undefined): boolean {
  return p === undefined || (Number(p) >= 1 && Number(p) <= 65535);
}

/** host and port of an http(s) URL (the scheme's default port filled in). */
export function urlHostPort(url: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return { host: u.hostname.toLowerCase(), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
  } catch {
    return undefined;
  }
}

function entryMatches(entry: string, host: string, port: number): boolean {
  if (entry.startsWith('*.')) return host.endsWith(entry.slice(1)) && host.length > entry.length - 1;
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d+))?$/.exec(entry);
  const [h, p] = v6 ? [`[${v6[1]}]`, v6[2]] : entry.split(':');
  return h === host && (p === undefined || Number(p) === port);
}

/** The NAS's RADIUS source address or CIDR covers this (IP literal) address: where its polls may come from. */
export function inAddress(address: string, host: string): boolean {
  const ip = host.startsWith('[') ? host.slice(1, -1) : host;
  const family = isIP(ip);
  if (!family) return false;
  const [net, bits] = address.split('/');
  if (isIP(net) !== family) return false;
  const list = new BlockList();
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) list.addAddress(net, type);
  else list.addSubnet(net, Number(bits), type);
  return list.check(ip, type);
}

/**
 * The NAS's RADIUS source address is this (IP literal) host. Only a single address counts
 * (a /32 or /128 too): a NAS registered by a range does not make every host of that range
 * a login host, since another guest's machine on the same network may be one of them.
 */
export function isNasAddress(address: string, host: string): boolean {
  const bits = address.split('/')[1];
  const single = bits === undefined || Number(bits) === (isIP(address.split('/')[0]) === 6 ? 128 : 32);
  return single && inAddress(address, host);
}

export interface LoginHostRules {
  vendor: string;
  /** The NAS's RADIUS address or CIDR (a CIDR gives no login host of its own). */
  address: string;
  loginHosts: readonly string[];
}

/** True when `url` is a place this NAS may receive a guest's credentials. */
export function loginUrlAllowed(url: string, nas: LoginHostRules): boolean {
  const hp = urlHostPort(url);
  if (!hp) return false;
  const entries = [...nas.loginHosts, ...vendorLoginHosts(nas.vendor)];
  return entries.some((e) => entryMatches(e, hp.host, hp.port)) || isNasAddress(nas.address, hp.host);
}
