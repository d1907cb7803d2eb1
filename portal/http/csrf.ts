// CSRF tokens bound to something the server already trusts (a guest's flow id, an
// admin's session id) rather than to a cookie: captive mini-browsers drop cookies.
import type { Keys } from '../crypto/keys.ts';
import { safeEqual } from '../crypto/keys.ts';
import { FoyerError } from '../errors.ts';

export function csrfToken(keys: Keys, binding: string): string {
  return keys.mac('csrf', binding);
}

export function checkCsrf(keys: Keys, binding: string, token: unknown): void {
  if (typeof token !== 'string' || !token || !safeEqual(token, csrfToken(keys, binding))) {
    throw new FoyerError(
      'csrf_invalid',
      403,
      'The form has expired or was not sent from this page. Please go back, reload and try again.',
    );
  }
}
