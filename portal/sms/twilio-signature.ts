// Twilio's request signature (X-Twilio-Signature): HMAC-SHA1, keyed with the auth token,
// of the full URL Twilio called followed by every POST parameter, sorted by name, as
// name + value with no separators; base64.
import { createHmac } from 'node:crypto';
import { safeEqual } from '../crypto/keys.ts';

export type FormParams = Record<string, string | string[] | undefined>;

export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const v = params[name];
    if (v === undefined) continue;
    for (const value of Array.isArray(v) ? [...v].sort() : [v]) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** True when `signature` matches any of the URLs the request may have been addressed to. */
export function checkTwilioSignature(
  authToken: string,
  signature: string | undefined,
  urls: string[],
  params: FormParams,
): boolean {
  if (!signature) return false;
  return urls.some((u) => safeEqual(signature, twilioSignature(authToken, u, params)));
}
