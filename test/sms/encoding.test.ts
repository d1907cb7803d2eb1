import assert from 'node:assert/strict';
import {
  chooseEncoding,
  concatUdh,
  decodeGsmSeptets,
  gsmSeptets,
  splitSms,
  smsPartCount,
} from '../../portal/sms/encoding.ts';

describe('sms encoding: GSM 7-bit or UCS-2, and splitting', () => {
  it('keeps Latin text with the extension table in GSM 7-bit, counting escapes as two septets', () => {
    assert.equal(chooseEncoding('Your code is 123456 [Café €5]'), 'gsm7');
    assert.equal(gsmSeptets('€')!.length, 2);
    assert.equal(gsmSeptets('{}')!.length, 4);
    assert.equal(decodeGsmSeptets(Buffer.from(gsmSeptets('a€[b]~|^\\ @£$¥')!)), 'a€[b]~|^\\ @£$¥');
  });

  it('needs UCS-2 for Bulgarian and for characters outside the alphabet', () => {
    assert.equal(chooseEncoding('Вашият код е 123456'), 'ucs2');
    assert.equal(chooseEncoding('naïve'), 'ucs2'); // ï is not in GSM 03.38
    assert.equal(chooseEncoding('Zoë'), 'ucs2');
    assert.equal(splitSms('Код').dataCoding, 8);
    assert.equal(splitSms('Code').dataCoding, 0);
  });

  it('sends 160 GSM septets as one SMS, 161 as two of at most 153', () => {
    assert.equal(smsPartCount('a'.repeat(160)), 1);
    const two = splitSms('a'.repeat(161));
    assert.deepEqual(
      two.parts.map((p) => p.length),
      [153, 8],
    );
    // 80 euro signs are 160 septets: one SMS; a 162-septet text: two, and no escape is cut from its character.
    assert.equal(smsPartCount('€'.repeat(80)), 1);
    const euros = splitSms('ab' + '€'.repeat(80));
    assert.equal(euros.parts.length, 2);
    assert.equal(euros.parts[0].length, 152); // 153 would end on an escape
    assert.equal(euros.parts.map((p) => decodeGsmSeptets(p)).join(''), 'ab' + '€'.repeat(80));
  });

  it('sends 70 UCS-2 characters as one SMS, longer Bulgarian text in parts of 67', () => {
    assert.equal(smsPartCount('ж'.repeat(70)), 1);
    const text =
      'Благодарим ви, че се присъединихте към Wi-Fi мрежата на Кафе „Липа“. Отговорете СТОП, за да се отпишете, ПОМОЩ за помощ.';
    const s = splitSms(text);
    assert.equal(s.encoding, 'ucs2');
    assert.deepEqual(
      s.parts.map((p) => p.length / 2),
      [67, text.length - 67],
    );
    const back = s.parts.map((p) => Buffer.from(p).swap16().toString('utf16le')).join('');
    assert.equal(back, text);
  });

  it('does not split a surrogate pair between parts', () => {
    const text = 'x'.repeat(66) + '😀' + 'y'.repeat(10);
    const s = splitSms(text);
    assert.equal(s.parts[0].length / 2, 66);
    assert.equal(s.parts.map((p) => Buffer.from(p).swap16().toString('utf16le')).join(''), text);
  });

  it('builds the concatenation header', () => {
    assert.deepEqual([...concatUdh(0x1a, 3, 2)], [0x05, 0x00, 0x03, 0x1a, 3, 2]);
  });
});
