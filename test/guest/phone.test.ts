// Mobile numbers: the venue's default country, its allowed countries, mobile only.
import assert from 'node:assert/strict';
import { parseGuestPhone } from '../../portal/verification/phone.ts';

describe('guest phone numbers', () => {
  it('reads national, international and 00-prefixed forms against the default country', () => {
    for (const raw of ['0881234567', '088 123 4567', '+359 88 123 4567', '00359881234567', '+359-88-123-4567']) {
      const r = parseGuestPhone(raw, 'BG', []);
      assert.deepEqual(r, { ok: true, e164: '+359881234567', country: 'BG', callingCode: '359' }, raw);
    }
  });

  it('refuses what is not a number, too short, or a landline', () => {
    assert.deepEqual(parseGuestPhone('hello', 'BG', []), { ok: false, code: 'guest_phone_invalid' });
    assert.deepEqual(parseGuestPhone('088123', 'BG', []), { ok: false, code: 'guest_phone_invalid' });
    assert.deepEqual(parseGuestPhone('', 'BG', []), { ok: false, code: 'guest_phone_invalid' });
    assert.deepEqual(parseGuestPhone('02 987 6543', 'BG', []), { ok: false, code: 'guest_phone_not_mobile' });
  });

  it('accepts only the allowed countries; none listed means the venue country and, in the EU/EEA, its region', () => {
    assert.deepEqual(parseGuestPhone('+447400123456', 'BG', []), {
      ok: false,
      code: 'guest_phone_country',
      params: { country: 'GB', countries: 'BG,EEA' },
    });
    const uk = parseGuestPhone('+447400123456', 'BG', ['BG', 'GB']);
    assert.equal(uk.ok && uk.e164, '+447400123456');
    assert.equal(uk.ok && uk.callingCode, '44');
    assert.deepEqual(parseGuestPhone('0881234567', 'BG', ['GB']), {
      ok: false,
      code: 'guest_phone_country',
      params: { country: 'BG', countries: 'GB' },
    });
    const de = parseGuestPhone('01512 3456789', 'DE', []);
    assert.equal(de.ok && de.e164, '+4915123456789');
    // Issue 19.2: a German or Norwegian tourist at a Bulgarian venue gets in by default.
    assert.equal(parseGuestPhone('+4915123456789', 'BG', []).ok, true);
    assert.equal(parseGuestPhone('+4741234567', 'BG', []).ok, true);
    // Outside the EU/EEA the default stays the venue's own country.
    assert.deepEqual(parseGuestPhone('+4915123456789', 'TR', []), {
      ok: false,
      code: 'guest_phone_country',
      params: { country: 'DE', countries: 'TR' },
    });
  });
});
