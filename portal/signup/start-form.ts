// Screen 1's answers, checked against the page version the guest was shown (its fields
// and its offers: a purpose is only ever recorded with the text of a page that offered
// it) and the venue's allowed countries. Every problem names its field and an error
// code (errors.<code> in the guest's language).
import type { Venue } from '../venues/venues.ts';
import type { VenueSettings } from '../venues/settings.ts';
import { parseGuestPhone } from '../verification/phone.ts';
import type { Choices, Details } from './flows.ts';

/** What the page version the guest saw asked for and offered. */
export interface ShownForm {
  fields: VenueSettings['fields'];
  offers: VenueSettings['offers'];
}

export interface FieldProblem {
  field: string;
  code: string;
  params?: Record<string, string | number>;
}

export type StartForm =
  | { ok: true; e164: string; callingCode: string; details: Details; choices: Choices }
  | { ok: false; problems: FieldProblem[] };

const str = (v: unknown, max: number): string => (typeof v === 'string' ? v.trim().slice(0, max + 1) : '');
const ticked = (v: unknown) => v === 'yes' || v === 'on' || v === 'true';
const EMAIL = /^[^\s@<>()",;]{1,64}@[^\s@<>()",;]+\.[^\s@<>()",;]{2,}$/;

function validBirthDate(s: string, now: number): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) return false;
  return +m[1] >= 1900 && d.getTime() < now;
}

export function readStartForm(venue: Venue, shown: ShownForm, body: Record<string, unknown>, now: number): StartForm {
  const problems: FieldProblem[] = [];
  const s = { ...venue.settings, fields: shown.fields, offers: shown.offers };
  const phone = str(body.phone, 40);
  let e164 = '';
  let callingCode = '';
  if (!phone) problems.push({ field: 'phone', code: 'guest_phone_missing' });
  else {
    const p = parseGuestPhone(phone, venue.country, s.allowedCountries);
    if (p.ok) ({ e164, callingCode } = p);
    else problems.push({ field: 'phone', code: p.code, params: p.params });
  }
  const details: Details = {};
  const name = str(body.name, 100);
  if (s.fields.name !== 'off') {
    if (name.length > 100) problems.push({ field: 'name', code: 'guest_name_invalid' });
    else if (name) details.name = name;
    else if (s.fields.name === 'required') problems.push({ field: 'name', code: 'guest_name_required' });
  }
  const email = str(body.email, 254);
  const emailField = s.fields.email !== 'off';
  if (emailField) {
    if (email && (email.length > 254 || !EMAIL.test(email)))
      problems.push({ field: 'email', code: 'guest_email_invalid' });
    else if (email) details.email = email;
    else if (s.fields.email === 'required') problems.push({ field: 'email', code: 'guest_email_required' });
  }
  const birth = str(body.birth_date, 10);
  if (s.fields.birthDate !== 'off') {
    if (birth && !validBirthDate(birth, now)) problems.push({ field: 'birth_date', code: 'guest_birthdate_invalid' });
    else if (birth) details.birthDate = birth;
    else if (s.fields.birthDate === 'required')
      problems.push({ field: 'birth_date', code: 'guest_birthdate_required' });
  }
  const choices: Choices = {
    terms: ticked(body.consent_terms),
    sms: ticked(body.consent_sms),
    email: ticked(body.consent_email),
  };
  // A box the page never showed cannot have been ticked by reading it (a forged or stale form).
  for (const p of ['sms', 'email'] as const) {
    if (choices[p] && !s.offers[p]) problems.push({ field: `consent_${p}`, code: 'guest_purpose_not_offered' });
  }
  if (!choices.terms) problems.push({ field: 'consent_terms', code: 'guest_terms_required' });
  // An email offer needs an address to go to: asked for only where the venue has the field.
  if (choices.email && emailField && !details.email && !problems.some((p) => p.field === 'email'))
    problems.push({ field: 'consent_email', code: 'guest_email_needed' });
  return problems.length ? { ok: false, problems } : { ok: true, e164, callingCode, details, choices };
}
