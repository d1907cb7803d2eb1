// What screen 1 knows before anything is written: the NAS hand-off, the locale and the
// page version shown, and the id the flow will have, in a token signed under its own
// subkey and valid for an hour. It travels in the form (and the language and legal
// links), so showing screen 1 writes nothing; the flow is written when the guest submits.
// The hand-off in it is what the (unsigned) NAS redirect reported: the signature proves
// only that this portal served it, not that the NAS's values are true.
import { randomUUID } from 'node:crypto';
import type { Keys } from '../crypto/keys.ts';
import { safeEqual } from '../crypto/keys.ts';
import type { Handoff } from '../access-points/handoff.ts';
import { FoyerError } from '../errors.ts';
import type { Locale } from '../venues/settings.ts';

export interface Entry {
  /** The flow id this page will start (nothing is stored under it until the guest submits). */
  id: string;
  venueId: string;
  versionId: string;
  locale: Locale;
  handoff: Handoff;
  issuedAt: number;
}

/** A page left open longer than this asks the guest to start again. */
export const ENTRY_TTL_MS = 60 * 60_000;
/** Tokens ride in links and in the ledger's evidence (4,096 characters in all). */
export const ENTRY_MAX_CHARS = 2600;

const sign = (keys: Keys, body: string) => keys.mac('guest-entry', body);

export function entryToken(
  keys: Keys,
  e: Omit<Entry, 'id' | 'issuedAt'> & { id?: string; issuedAt: number },
): { token: string; entry: Entry } {
  const entry: Entry = { ...e, id: e.id ?? randomUUID() };
  const body = Buffer.from(
    JSON.stringify([entry.id, entry.venueId, entry.versionId, entry.locale, entry.issuedAt, entry.handoff]),
  ).toString('base64url');
  const token = `${body}.${sign(keys, body)}`;
  if (token.length > ENTRY_MAX_CHARS) {
    throw new FoyerError('handoff_invalid', 400, "The access point's redirect is too long to be used.", {
      reason: 'redirect too long',
    });
  }
  return { token, entry };
}

/** The entry a token names, for this venue; a clear 4xx in the guest's language otherwise. */
export function readEntryToken(keys: Keys, token: unknown, venueId: string, now: number): Entry {
  const bad = () =>
    new FoyerError(
      'guest_entry_invalid',
      400,
      'This page was changed or did not come from this portal. Please connect to the Wi-Fi again.',
    );
  if (typeof token !== 'string' || token.length > ENTRY_MAX_CHARS) throw bad();
  const [body, mac, ...rest] = token.split('.');
  if (!body || !mac || rest.length || !safeEqual(mac, sign(keys, body))) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 6) throw bad();
  const [id, venue, versionId, locale, issuedAt, handoff] = parsed as [string, string, string, Locale, number, Handoff];
  if (venue !== venueId) throw bad();
  if (!(now < issuedAt + ENTRY_TTL_MS))
    throw new FoyerError('guest_flow_expired', 410, 'Your sign-in has expired. Please start again.');
  return { id, venueId: venue, versionId, locale, issuedAt, handoff };
}
