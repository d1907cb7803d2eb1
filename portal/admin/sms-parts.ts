// How many SMS each of a venue's texts costs, shown beside the field the operator edits:
// one character outside the GSM alphabet (any Cyrillic letter) halves what fits in one.
import type { Views } from '../http/views.ts';
import type { Venue } from '../venues/venues.ts';
import { LOCALES } from '../venues/settings.ts';
import { splitSms } from '../sms/encoding.ts';
import { SMS_WORDING, smsWordingSamples } from '../guest/sms-texts.ts';

export interface SmsPartsNote {
  parts: number;
  chars: number;
  /** Characters one SMS holds in this text's encoding: 160 (GSM-7) or 70 (UCS-2). */
  single: number;
  unicode: boolean;
}

/** Keyed like the form fields: wording.<locale>.<smsCode|smsConfirmation|smsHelp>. */
export function smsPartsNotes(views: Views, venue: Venue): Record<string, SmsPartsNote> {
  const notes: Record<string, SmsPartsNote> = {};
  for (const l of LOCALES) {
    const samples = smsWordingSamples(views, venue, l);
    for (const k of SMS_WORDING) {
      const split = splitSms(samples[k]);
      const unicode = split.encoding === 'ucs2';
      notes[`wording.${l}.${k}`] = {
        parts: split.parts.length,
        chars: [...samples[k]].length,
        single: unicode ? 70 : 160,
        unicode,
      };
    }
  }
  return notes;
}
