// Screen 1's hint under the number, in agreement with the numbers the venue accepts
// (issue 19 point 2): "From the EU/EEA: + and the country code" for the default of an EU/EEA venue, the
// countries by name for a venue's own list, "Only numbers from …" where abroad is refused.
// Rendered once into the page version (content.venue.phoneHint), so the evidence of a
// version keeps the words the guest read even if country names change in a later Node.
import { translate, type Strings } from '../http/i18n.ts';
import { acceptedCountries } from '../venues/countries.ts';
import type { Locale } from '../venues/settings.ts';

export function phoneHint(strings: Strings, locale: Locale, country: string, allowed: readonly string[]): string {
  const accepted = acceptedCountries(country, allowed);
  const others = accepted.filter((c) => c !== country);
  if (!others.length || !accepted.includes(country))
    return translate(strings, 'guest.start.phoneHintOnly', { countries: accepted.join(',') }, locale);
  if (!allowed.length) return translate(strings, 'guest.start.phoneHintRegion', {}, locale);
  return translate(strings, 'guest.start.phoneHintList', { countries: others.join(',') }, locale);
}
