// Whose numbers a venue accepts. A venue that names no countries accepts its own and, for
// a venue inside the EU/EEA, every EU/EEA country: that is where most foreign guests come
// from and where their phones roam at home prices. The toll-fraud limits (per country per
// hour, per number, per venue per day) apply to all of them alike.

export const EU = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
] as const;
export const EEA: readonly string[] = [...EU, 'IS', 'LI', 'NO'];

/** The countries numbers are accepted from: the venue's list, else the default above. */
export function acceptedCountries(venueCountry: string, allowed: readonly string[]): readonly string[] {
  if (allowed.length) return allowed;
  return EEA.includes(venueCountry) ? [venueCountry, ...EEA.filter((c) => c !== venueCountry)] : [venueCountry];
}

/**
 * The same, as the guest is told it (`{{countries:regions}}`): "BG,EEA" reads "Bulgaria or
 * another EU/EEA country" rather than thirty names.
 */
export function acceptedCountriesParam(venueCountry: string, allowed: readonly string[]): string {
  if (!allowed.length && EEA.includes(venueCountry)) return `${venueCountry},EEA`;
  return acceptedCountries(venueCountry, allowed).join(',');
}
