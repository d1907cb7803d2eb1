// Reading a cookie Koa signed (kctx.cookies.set(name, value, { signed: true })): the answer
// of kctx.cookies.get(name, { signed: true }), for one HMAC instead of Keygrip's three (its
// timing-safe compare hashes both sides again under a fresh random key). Every screen
// after screen 1 reads the flow cookie. Same rules: the first "name=" in the header, one
// pair of quotes dropped, the signature in "name.sig" over "name=value" (HMAC-SHA1 of the
// app's first key, base64url), compared in constant time; a wrong signature clears
// name.sig as Koa's does. Keys in rotation (more than one) are left to Koa itself.
import type { Context } from 'koa';
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { safeEqual } from '../crypto/keys.ts';

const patterns = new Map<string, RegExp>();
// By the key itself: an app's keys are fixed for its life, a process has one or a few apps.
const keyObjects = new Map<string, KeyObject>();

function cookieValue(header: string, name: string): string | undefined {
  let re = patterns.get(name);
  if (!re) {
    re = new RegExp(`(?:^|;) *${name.replace(/[-[\]{}()*+?.,\\^$|#\s]/g, '\\$&')}=([^;]*)`);
    patterns.set(name, re);
  }
  const v = re.exec(header)?.[1];
  return v !== undefined && v[0] === '"' ? v.slice(1, -1) : v;
}

function keyObject(key: string): KeyObject {
  let k = keyObjects.get(key);
  if (!k) {
    if (keyObjects.size >= 16) keyObjects.clear();
    keyObjects.set(key, (k = createSecretKey(Buffer.from(key))));
  }
  return k;
}

export function signedCookie(kctx: Context, name: string): string | undefined {
  const keys = kctx.app.keys as unknown;
  if (!Array.isArray(keys) || keys.length !== 1 || typeof keys[0] !== 'string')
    return kctx.cookies.get(name, { signed: true });
  const header = kctx.headers.cookie;
  if (!header) return undefined;
  const value = cookieValue(header, name);
  if (value === undefined) return undefined;
  const remote = cookieValue(header, `${name}.sig`);
  if (!remote) return undefined;
  const expected = createHmac('sha1', keyObject(keys[0])).update(`${name}=${value}`).digest('base64url');
  if (safeEqual(remote, expected)) return value;
  kctx.cookies.set(`${name}.sig`, null, { path: '/', signed: false });
  return undefined;
}
