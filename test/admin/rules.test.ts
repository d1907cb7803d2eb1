// The pure parts under the console: consent rules, the word diff, logo sniffing and
// the permission table.
import assert from 'node:assert/strict';
import { consentProblems } from '../../portal/venues/consent-rules.ts';
import { diffWords, compareVersions } from '../../portal/venues/version-diff.ts';
import { sniffLogo, LOGO_MAX_BYTES } from '../../portal/venues/logos.ts';
import { can, RULES } from '../../portal/accounts/permissions.ts';
import { defaultSettings } from '../../portal/venues/settings.ts';
import { FoyerError } from '../../portal/errors.ts';

describe('admin: consent rules, word diff, logos, permissions', () => {
  it('asks every SMS text for STOP (or СТОП) as a word, and every e-mail text for a way out', () => {
    const codes = (wording: Record<string, Record<string, string>>, offers = { sms: 'optional', email: 'optional' }) =>
      consentProblems({ offers, wording }).map((p) => `${p.field}:${p.code}`);
    assert.deepEqual(
      codes({
        en: { sms: 'Offers by text. Reply STOP to end.' },
        bg: { sms: 'Оферти по SMS. Отговорете стоп за отказ.' },
      }),
      [],
    );
    assert.deepEqual(codes({ en: { sms: 'We never STOPPED sending offers.' } }), [
      'wording.en.sms:consent_sms_no_stop',
    ]);
    assert.deepEqual(codes({ bg: { sms: 'Оферти. НЕСТОПНО.' } }), ['wording.bg.sms:consent_sms_no_stop']);
    assert.deepEqual(codes({ en: { email: 'Our newsletter.' } }), ['wording.en.email:consent_email_no_unsubscribe']);
    assert.deepEqual(codes({ bg: { email: 'Бюлетин; можете да се отпишете по всяко време.' } }), []);
    // An offer that is not made needs no withdrawal wording.
    assert.deepEqual(codes({ en: { sms: 'No stop word here' } }, { sms: 'off', email: 'off' }), []);
    assert.deepEqual(codes({}, { sms: 'preticked', email: 'required' }), [
      'offers.sms:consent_preticked',
      'offers.email:consent_required_for_access',
    ]);
    assert.deepEqual(codes({}, { sms: 'sometimes', email: 'off' }), ['offers.sms:consent_mode_invalid']);
  });

  it('marks removed and added words, keeping the rest', () => {
    const d = diffWords('Reply STOP to opt out of offers', 'Reply STOP to opt out of weekly offers and news');
    assert.deepEqual(d, [
      { kind: 'same', text: 'Reply STOP to opt out of ' },
      { kind: 'ins', text: 'weekly ' },
      { kind: 'same', text: 'offers' },
      { kind: 'ins', text: ' and news' },
    ]);
    const r = diffWords('a b c', 'a x c');
    assert.equal(
      r
        .filter((s) => s.kind === 'del')
        .map((s) => s.text)
        .join(''),
      'b',
    );
    assert.equal(
      r
        .filter((s) => s.kind === 'ins')
        .map((s) => s.text)
        .join(''),
      'x',
    );
    assert.deepEqual(diffWords('same', 'same'), [{ kind: 'same', text: 'same' }]);
    const s = defaultSettings();
    const rows = compareVersions(
      { name: 'A', settings: s },
      { name: 'B', settings: { ...s, session: { ...s.session, durationMinutes: 60 } } },
    );
    assert.deepEqual(
      rows.filter((x) => x.changed).map((x) => x.path),
      ['name', 'session.durationMinutes'],
    );
  });

  it('knows PNG, JPEG and WebP by their bytes and refuses everything else', () => {
    assert.equal(sniffLogo(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0])).type, 'image/jpeg');
    assert.equal(
      sniffLogo(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')])).type,
      'image/webp',
    );
    for (const bad of [Buffer.from('<svg/>'), Buffer.from('GIF89a......'), Buffer.alloc(0), Buffer.from('%PDF-1.7')]) {
      assert.throws(
        () => sniffLogo(bad),
        (e: unknown) => e instanceof FoyerError && e.status === 400,
      );
    }
    assert.throws(
      () => sniffLogo(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(LOGO_MAX_BYTES)])),
      /at most/,
    );
  });

  it('keeps personal data away from network admins and other venues', () => {
    const net = { role: 'network-admin' as const, venueIds: [] };
    const op = { role: 'operator' as const, venueIds: ['v1'] };
    const owner = { role: 'owner' as const, venueIds: [] };
    for (const action of Object.keys(RULES) as (keyof typeof RULES)[]) {
      assert.equal(can(owner, action, 'v2'), true, action);
      if (action.startsWith('consents.')) assert.equal(can(net, action, 'v1'), false, action);
      if ('venue' in RULES[action]) assert.equal(can(op, action, 'v2'), false, action);
    }
    assert.equal(can(op, 'consents.export', 'v1'), true);
    assert.equal(can(op, 'consents.export'), false, 'a venue-scoped action needs the venue');
    assert.equal(can(op, 'nas.manage'), false);
    assert.equal(can(net, 'sessions.disconnect'), true);
    assert.equal(can(net, 'accounts.manage'), false);
  });
});
