// The withdrawal-wording rules per offer mode and per text, as mutation testing asked:
// an offer that is off needs no withdrawal wording (and only that offer is exempt), and
// the confirmation SMS must carry STOP whatever the offers are.
import assert from 'node:assert/strict';
import { consentProblems } from '../../portal/venues/consent-rules.ts';

const problems = (offers: { sms: string; email: string }, wording: Record<string, Record<string, string>>) =>
  consentProblems({ offers, wording }).map((p) => `${p.field}:${p.code}`);

describe('consent rules: withdrawal wording', () => {
  it('asks for STOP in an SMS offer only while the SMS offer is made', () => {
    const wording = { en: { sms: 'Offers by text.' } };
    assert.deepEqual(problems({ sms: 'optional', email: 'optional' }, wording), ['wording.en.sms:consent_sms_no_stop']);
    assert.deepEqual(problems({ sms: 'off', email: 'optional' }, wording), []);
  });

  it('asks for a way out in an e-mail offer only while the e-mail offer is made', () => {
    const wording = { bg: { email: 'Нашият бюлетин.' } };
    assert.deepEqual(problems({ sms: 'optional', email: 'optional' }, wording), [
      'wording.bg.email:consent_email_no_unsubscribe',
    ]);
    assert.deepEqual(problems({ sms: 'optional', email: 'off' }, wording), []);
  });

  it('asks every confirmation SMS for STOP, in each language, even with the offers off', () => {
    assert.deepEqual(
      problems(
        { sms: 'off', email: 'off' },
        { en: { smsConfirmation: 'You are subscribed.' }, bg: { smsConfirmation: 'Абонирани сте. СТОП за отказ.' } },
      ),
      ['wording.en.smsConfirmation:consent_sms_no_stop'],
    );
    assert.deepEqual(problems({ sms: 'optional', email: 'off' }, { bg: { smsConfirmation: 'Абонирани сте.' } }), [
      'wording.bg.smsConfirmation:consent_sms_no_stop',
    ]);
    assert.deepEqual(
      problems({ sms: 'optional', email: 'off' }, { en: { smsConfirmation: 'Subscribed. Reply STOP to end.' } }),
      [],
    );
  });
});
