// What Koa's cookies sign and check signed cookies with (its `keys` option, in Keygrip's
// shape: sign, verify, index): HMAC-SHA1 of "name=value" under the cookie key, base64url,
// exactly Keygrip's signature for one key, but under a KeyObject made once and checked with
// one constant-time compare. Keygrip hashes the key from its text on every call and its
// compare (tsscmp) hashes both sides again under fresh random bytes: three HMACs and a
// random draw for every signed cookie read, and every guest screen after screen 1 reads one.
import { createHmac, createSecretKey } from 'node:crypto';
import { safeEqual } from '../crypto/keys.ts';

export interface CookieSigner {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  /** Which key signed `data` as `digest`: 0, or -1 for none (Keygrip's answer with one key). */
  index(data: string, digest: string): number;
}

export function cookieSigner(key: string): CookieSigner {
  const k = createSecretKey(Buffer.from(key));
  const sign = (data: string) => createHmac('sha1', k).update(data).digest('base64url');
  const index = (data: string, digest: string) =>
    typeof digest === 'string' && safeEqual(digest, sign(data)) ? 0 : -1;
  return { sign, index, verify: (data, digest) => index(data, digest) === 0 };
}
