// The SMS a guest gets, in their language; a venue's own wording (per locale) replaces
// the default and may use the same {{placeholders}}.
import type { Views } from '../http/views.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';

const fill = (template: string, params: Record<string, string | number>) =>
  template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k) => (k in params ? String(params[k]) : ''));

export function codeText(views: Views, venue: Venue, locale: Locale, code: string, minutes: number): string {
  const params = { code, minutes, venue: venue.name };
  const own = venue.settings.wording[locale]?.smsCode;
  // A venue text without the code would send a useless message.
  return own && own.includes('{{code}}') ? fill(own, params) : views.t(locale, 'guest.sms.code', params);
}

export function confirmationText(views: Views, venue: Venue, locale: Locale): string {
  const own = venue.settings.wording[locale]?.smsConfirmation;
  return own ? fill(own, { venue: venue.name }) : views.t(locale, 'guest.sms.confirmation', { venue: venue.name });
}
