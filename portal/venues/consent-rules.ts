// Consent that would not be valid is refused before it can be published: no box may
// be pre-ticked, no offer may be a condition of access, and every optional purpose
// must tell the guest how to withdraw (GDPR art. 7(3); ePrivacy art. 13(2)).
import { LOCALES } from './settings.ts';

export interface ConsentProblem {
  /** Form field the problem belongs to, e.g. offers.sms or wording.bg.sms. */
  field: string;
  /** Error code (errors.<code> in the locale files). */
  code: string;
}

// \b is ASCII-only in JS; letters on either side are checked with Unicode properties.
const STOP = /(?<![\p{L}\p{N}])(STOP|СТОП)(?![\p{L}\p{N}])/iu;
const UNSUBSCRIBE = /(unsubscribe|opt[- ]?out|отпис|отпиш|откаж|отказ)/iu;

/** Raw offer modes as a form or API may send them; only 'off' and 'optional' are lawful. */
export type OfferMode = 'off' | 'optional' | 'required' | 'preticked' | string;

export function consentProblems(input: {
  offers: Record<'sms' | 'email', OfferMode>;
  wording: Partial<Record<string, { sms?: string; email?: string; smsConfirmation?: string } | undefined>>;
}): ConsentProblem[] {
  const out: ConsentProblem[] = [];
  for (const purpose of ['sms', 'email'] as const) {
    const mode = input.offers[purpose];
    if (mode === 'preticked') out.push({ field: `offers.${purpose}`, code: 'consent_preticked' });
    else if (mode === 'required') out.push({ field: `offers.${purpose}`, code: 'consent_required_for_access' });
    else if (mode !== 'off' && mode !== 'optional')
      out.push({ field: `offers.${purpose}`, code: 'consent_mode_invalid' });
  }
  for (const locale of LOCALES) {
    const w = input.wording[locale];
    if (!w) continue;
    if (input.offers.sms !== 'off' && w.sms && !STOP.test(w.sms))
      out.push({ field: `wording.${locale}.sms`, code: 'consent_sms_no_stop' });
    if (w.smsConfirmation && !STOP.test(w.smsConfirmation))
      out.push({ field: `wording.${locale}.smsConfirmation`, code: 'consent_sms_no_stop' });
    if (input.offers.email !== 'off' && w.email && !UNSUBSCRIBE.test(w.email))
      out.push({ field: `wording.${locale}.email`, code: 'consent_email_no_unsubscribe' });
  }
  return out;
}
