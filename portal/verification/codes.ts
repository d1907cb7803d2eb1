// One-time codes: digits from the CSPRNG, compared as HMACs in constant time. The HMAC
// is keyed per verification id, so equal codes in two verifications never look alike.
import { randomInt } from 'node:crypto';
import type { Keys } from '../crypto/keys.ts';
import { safeEqual } from '../crypto/keys.ts';

export const MIN_LENGTH = 4;
export const MAX_LENGTH = 8;

export function generateCode(length = 6): string {
  if (!Number.isInteger(length) || length < MIN_LENGTH || length > MAX_LENGTH)
    throw new RangeError(`code length must be ${MIN_LENGTH} to ${MAX_LENGTH}`);
  let s = '';
  // randomInt draws without modulo bias.
  for (let i = 0; i < length; i++) s += String(randomInt(10));
  return s;
}

export const codeHmac = (keys: Keys, verificationId: string, code: string) =>
  keys.hmac('code-hmac', `${verificationId}:${code}`);

/** Constant time in the code's content; a malformed guess is compared all the same. */
export function codeMatches(keys: Keys, verificationId: string, storedHmac: string, guess: string): boolean {
  return safeEqual(codeHmac(keys, verificationId, normaliseGuess(guess)), storedHmac);
}

/** Guests type spaces and dashes, and phones may insert full-width digits. */
export function normaliseGuess(raw: string): string {
  return raw.normalize('NFKC').replace(/[\s\-–.]/g, '');
}
