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

/** Confirms the SMS offers subscription, naming the incentive the guest was offered for it (if any). */
export function confirmationText(views: Views, venue: Venue, locale: Locale): string {
  const own = venue.settings.wording[locale]?.smsConfirmation;
  const incentive = venue.settings.wording[locale]?.incentive?.replace(/[.!\s]+$/, '');
  if (own) return fill(own, { venue: venue.name, incentive: incentive ?? '' });
  return views.t(locale, incentive ? 'guest.sms.confirmationIncentive' : 'guest.sms.confirmation', {
    venue: venue.name,
    incentive: incentive ?? '',
  });
}

/** The wording fields that are sent by SMS, as the branding form names them. */
export const SMS_WORDING = ['smsCode', 'smsConfirmation', 'smsHelp'] as const;
export type SmsWording = (typeof SMS_WORDING)[number];

/**
 * What each SMS wording field sends, as a guest would get it: the venue's own text or the
 * default, with a code of the venue's full length. The branding page counts its SMS parts.
 */
export function smsWordingSamples(views: Views, venue: Venue, locale: Locale): Record<SmsWording, string> {
  const code = '9'.repeat(venue.settings.code.length);
  return {
    smsCode: codeText(views, venue, locale, code, venue.settings.code.validityMinutes),
    smsConfirmation: confirmationText(views, venue, locale),
    smsHelp:
      venue.settings.wording[locale]?.smsHelp ||
      views.t(locale, 'lifecycle.help', { venue: venue.name, contact: venue.settings.contact || '-' }),
  };
}
