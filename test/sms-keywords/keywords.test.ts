import assert from 'node:assert/strict';
import { classifySms, normalizeSms } from '../../portal/sms/keywords.ts';

describe('inbound SMS keywords', () => {
  const cases: [string, string][] = [
    ['STOP', 'stop'],
    ['stop', 'stop'],
    ['Stop!', 'stop'],
    [' stop. ', 'stop'],
    ['Stöp', 'stop'],
    ['Unsubscribe', 'stop'],
    ['cancel', 'stop'],
    ['END', 'stop'],
    ['quit', 'stop'],
    ['Revoke', 'stop'],
    ['opt out', 'stop'],
    ['opt-out', 'stop'],
    ['OptOut', 'stop'],
    ['стоп', 'stop'],
    ['СТОП!', 'stop'],
    ['Отпиши', 'stop'],
    ['отпиши ме', 'stop'],
    ['STOPALL', 'stop-all'],
    ['stop all', 'stop-all'],
    ['START', 'start'],
    ['unstop', 'start'],
    ['старт', 'start'],
    ['HELP', 'help'],
    ['help?', 'help'],
    ['Помощ', 'help'],
    ['please stop texting me', 'flag'],
    ['Моля, спрете да ми пишете', 'flag'],
    ['не искам повече съобщения', 'flag'],
    ['hello', 'none'],
    ['thanks for the coffee', 'none'],
    ['', 'none'],
  ];
  for (const [text, want] of cases) {
    it(`${JSON.stringify(text)} → ${want}`, () => {
      const r = classifySms(text);
      const got = r.kind === 'stop' ? (r.scope === 'all' ? 'stop-all' : 'stop') : r.kind;
      assert.equal(got, want);
    });
  }

  it('recognises the venue keyword in any case and spacing', () => {
    assert.deepEqual(classifySms('join  cafe!', ['JOIN CAFE']), { kind: 'optin', keyword: 'JOIN CAFE' });
    assert.deepEqual(classifySms('join cafes', ['JOIN CAFE']), { kind: 'none' });
  });

  it('keeps Й as a letter while removing accents', () => {
    assert.equal(normalizeSms('Мой café'), 'МОЙ CAFE');
  });
});
