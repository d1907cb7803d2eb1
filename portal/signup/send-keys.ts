// What a sign-up's code sends are counted under (verification/limits.ts): the number, the
// device, the address, the NAS and the destination country at the venue. Built here only,
// for the first code and for every resend, so both are held to the same limits.
import type { Keys } from '../crypto/keys.ts';
import type { SendKeys } from '../verification/limits.ts';
import { numberHash } from '../consent/subjects.ts';

export function sendKeys(
  keys: Keys,
  venueId: string,
  s: { e164: string; callingCode: string; macHash: string | null; clientIp: string | null; nasId: string | undefined },
): SendKeys {
  return {
    venueId,
    numberHash: numberHash(keys, s.e164),
    macHash: s.macHash,
    clientIp: s.clientIp,
    nasId: s.nasId ?? null,
    callingCode: s.callingCode,
  };
}
