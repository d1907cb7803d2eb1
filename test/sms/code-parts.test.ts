// Issue 19.4: the Bulgarian code SMS took two parts (UCS-2 holds 70 characters), doubling
// the cost of every Bulgarian sign-up. Every default code text fits one part in each
// language, counted by the encoding module the gateways send with, at the longest code
// and validity a venue can set, for Latin and Cyrillic venue names (a Cyrillic name makes
// the English text UCS-2 too). The branding page's count: test/admin/branding.test.ts.
import assert from 'node:assert/strict';
import { splitSms } from '../../portal/sms/encoding.ts';
import { createViews } from '../../portal/http/views.ts';
import { codeText } from '../../portal/guest/sms-texts.ts';
import { defaultSettings } from '../../portal/venues/settings.ts';
import { LOCALES } from '../../portal/venues/settings.ts';
import type { Venue } from '../../portal/venues/venues.ts';

const views = createViews();
const venue = (name: string): Venue =>
  ({ id: 'v', slug: 'v', name, country: 'BG', settings: defaultSettings() }) as unknown as Venue;

describe('SMS: default code texts fit one part', () => {
  for (const locale of LOCALES) {
    for (const name of ['Café Central', 'Кафе Централ', 'Хотел Морска Звезда']) {
      for (const [digits, minutes] of [
        [6, 10],
        [8, 30],
      ] as const) {
        it(`${locale}, "${name}", ${digits}-digit code valid ${minutes} min: one part`, () => {
          const text = codeText(views, venue(name), locale, '9'.repeat(digits), minutes);
          assert.ok(text.includes('9'.repeat(digits)) && text.includes(name));
          const split = splitSms(text);
          assert.equal(split.parts.length, 1, `${split.encoding}, ${text.length} characters: ${text}`);
        });
      }
    }
  }
});
