// What a guest submitted on screen 1, as one record: kept (encrypted) in the row of the
// code sent for it, so the number, the choices and the page version that completion
// records are by construction the ones that code was sent for and returned with.
import type { FieldCipher } from '../crypto/fields.ts';
import type { Locale } from '../venues/settings.ts';
import type { Choices, Details } from './flows.ts';

export interface Submission {
  e164: string;
  callingCode: string;
  details: Details;
  choices: Choices;
  /** The page version the guest was shown and submitted. */
  versionId: string;
  locale: Locale;
  /** The flow id the submitted page carried (the flow's own, unless that page was submitted twice). */
  page: string;
  /** The entry token of the page submitted: with the version and page id, it re-renders that page byte for byte. */
  entry: string;
}

export function readSubmission(cipher: FieldCipher, enc: string | null | undefined): Submission | undefined {
  return enc ? (JSON.parse(cipher.decrypt(enc)) as Submission) : undefined;
}
