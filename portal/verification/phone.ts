// A guest's mobile number: parsed with libphonenumber-js against the venue's default
// country, accepted only from the venue's accepted countries (venues/countries.ts).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { acceptedCountries, acceptedCountriesParam } from '../venues/countries.ts';

export type PhoneResult =
  | { ok: true; e164: string; country: string; callingCode: string }
  | { ok: false; code: 'guest_phone_invalid' | 'guest_phone_not_mobile'; params?: undefined }
  /** params for errors.guest_phone_country: the number's country and the accepted ones, as ISO codes. */
  | { ok: false; code: 'guest_phone_country'; params: { country: string; countries: string } };

export function parseGuestPhone(raw: string, defaultCountry: string, allowed: readonly string[]): PhoneResult {
  const input = raw.normalize('NFKC').trim();
  if (!input || input.length > 40) return { ok: false, code: 'guest_phone_invalid' };
  // "00" is how most of Europe dials abroad; libphonenumber wants "+".
  const text = input.startsWith('00') ? `+${input.slice(2)}` : input;
  const n = parsePhoneNumberFromString(text, defaultCountry as CountryCode);
  if (!n || !n.isValid()) return { ok: false, code: 'guest_phone_invalid' };
  const type = n.getType();
  // Unknown types are let through: some ranges are not classified in the metadata.
  if (type && type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE')
    return { ok: false, code: 'guest_phone_not_mobile' };
  const country = n.country ?? '';
  if (!acceptedCountries(defaultCountry, allowed).includes(country)) {
    return {
      ok: false,
      code: 'guest_phone_country',
      params: { country, countries: acceptedCountriesParam(defaultCountry, allowed) },
    };
  }
  return { ok: true, e164: n.number, country, callingCode: n.countryCallingCode };
}
