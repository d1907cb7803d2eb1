// The branding and wording form <-> the draft: flat field names (wording.bg.sms), empty
// texts left out (the guest pages then use their defaults), validated by the venue
// settings schema and the consent rules, errors keyed by field name.
import { venueSettingsSchema, LOCALES, wordingSchema, type VenueSettings } from '../venues/settings.ts';
import type { Views } from '../http/views.ts';
import type { Venue } from '../venues/venues.ts';
import { consentProblems } from '../venues/consent-rules.ts';
import type { DraftContent } from '../venues/drafts.ts';
import { fieldErrors, str } from './page.ts';

export const WORDING_KEYS = Object.keys(wordingSchema.shape) as (keyof typeof wordingSchema.shape)[];
export const LONG_TEXTS = new Set(['termsPage', 'privacyPage']);

/** Each text's maximum length, read from the schema so the page states what is enforced. */
export const WORDING_MAX: Record<string, number> = Object.fromEntries(
  Object.entries(wordingSchema.shape).map(([k, z]) => [
    k,
    (z as unknown as { _zod: { def: { innerType: { maxLength: number | null } } } })._zod.def.innerType.maxLength ?? 0,
  ]),
);

const contentSchema = venueSettingsSchema.pick({
  branding: true,
  wording: true,
  fields: true,
  offers: true,
  contact: true,
});

export type FormValues = Record<string, string>;

export function draftToForm(name: string, c: DraftContent): FormValues {
  const f: FormValues = {
    name,
    'branding.primaryColor': c.branding.primaryColor,
    'branding.backgroundColor': c.branding.backgroundColor,
    'branding.textColor': c.branding.textColor,
    'branding.logo': c.branding.logo ?? '',
    'fields.name': c.fields.name,
    'fields.email': c.fields.email,
    'fields.birthDate': c.fields.birthDate,
    'offers.sms': c.offers.sms ? 'optional' : 'off',
    'offers.email': c.offers.email ? 'optional' : 'off',
    contact: c.contact,
  };
  for (const l of LOCALES) for (const k of WORDING_KEYS) f[`wording.${l}.${k}`] = c.wording[l]?.[k] ?? '';
  return f;
}

export function formToDraft(body: Record<string, unknown>): {
  values: FormValues;
  name?: string;
  content?: DraftContent;
  errors: Record<string, string>;
} {
  const values: FormValues = {};
  for (const [k, v] of Object.entries(body)) if (k !== '_csrf') values[k] = str(v).replace(/\r\n/g, '\n');
  const errors: Record<string, string> = {};
  const name = values.name?.trim() ?? '';
  if (!name) errors.name = 'errors.admin_name_required';
  else if (name.length > 120) errors.name = 'errors.admin_name_too_long';
  const wording: Record<string, Record<string, string>> = {};
  for (const l of LOCALES) {
    for (const k of WORDING_KEYS) {
      const v = values[`wording.${l}.${k}`]?.trim();
      if (v) (wording[l] ??= {})[k] = v;
    }
  }
  const offers = { sms: values['offers.sms'] ?? 'off', email: values['offers.email'] ?? 'off' };
  for (const p of consentProblems({ offers, wording })) errors[p.field] ??= `errors.${p.code}`;
  const parsed = contentSchema.safeParse({
    branding: {
      primaryColor: values['branding.primaryColor'],
      backgroundColor: values['branding.backgroundColor'],
      textColor: values['branding.textColor'],
      logo: values['branding.logo'] || undefined,
    },
    wording,
    fields: { name: values['fields.name'], email: values['fields.email'], birthDate: values['fields.birthDate'] },
    offers: { sms: offers.sms === 'optional', email: offers.email === 'optional' },
    contact: values.contact ?? '',
  });
  if (!parsed.success) for (const [k, m] of Object.entries(fieldErrors(parsed.error.issues))) errors[k] ??= m;
  if (Object.keys(errors).length || !parsed.success) return { values, errors };
  return {
    values,
    name,
    content: parsed.data as Pick<VenueSettings, 'branding' | 'wording' | 'fields' | 'offers' | 'contact'>,
    errors,
  };
}

/** Where each wording box's standard text comes from (locale keys); incentive has none. */
const STANDARD: Partial<Record<(typeof WORDING_KEYS)[number], string>> = {
  welcome: 'guest.start.welcome',
  terms: 'guest.consent.terms.text',
  sms: 'guest.consent.sms.text',
  email: 'guest.consent.email.text',
  termsPage: 'guest.legal.termsBody',
  privacyPage: 'guest.legal.privacyBody',
  smsCode: 'guest.sms.code',
  smsConfirmation: 'guest.sms.confirmation',
  smsHelp: 'lifecycle.help',
};

/**
 * The standard wording each empty box stands for, keyed like the form (wording.<locale>.<key>).
 * SMS texts keep their {{placeholders}} (the venue's own text may use them); page texts are
 * shown as the guest reads them, with this venue's name and contact.
 */
export function standardWording(views: Views, venue: Venue): Record<string, string> {
  const out: Record<string, string> = {};
  const sms = new Set<string>(['smsCode', 'smsConfirmation', 'smsHelp']);
  const p = { venue: venue.name, contact: venue.settings.contact || '-', months: venue.settings.retentionMonths };
  for (const l of LOCALES) {
    for (const [k, key] of Object.entries(STANDARD)) {
      out[`wording.${l}.${k}`] = sms.has(k)
        ? views.t(
            l,
            key,
            Object.fromEntries(['code', 'minutes', 'venue', 'contact', 'incentive'].map((n) => [n, `{{${n}}}`])),
          )
        : views.t(l, key, p);
    }
  }
  return out;
}
