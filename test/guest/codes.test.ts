// One-time codes: shape, randomness, constant-time HMAC check, what a guest may type.
import assert from 'node:assert/strict';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { codeHmac, codeMatches, generateCode, normaliseGuess } from '../../portal/verification/codes.ts';

describe('verification codes', () => {
  const keys = deriveKeys('unit-test-secret-0123456789abcdef0123456789');

  it('has the asked length, 4 to 8 digits, and refuses other lengths', () => {
    for (const n of [4, 5, 6, 7, 8]) assert.match(generateCode(n), new RegExp(`^\\d{${n}}$`));
    assert.match(generateCode(), /^\d{6}$/);
    for (const n of [3, 9, 6.5]) assert.throws(() => generateCode(n), RangeError);
  });

  it('spreads over all digits (no modulo-biased or constant output)', () => {
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 2000; i++) for (const d of generateCode(8)) counts[Number(d)]++;
    // 16,000 digits: each should be near 1,600; 1,300 is far outside chance.
    for (const c of counts) assert.ok(c > 1300 && c < 1900, `digit counts ${counts}`);
    const distinct = new Set(Array.from({ length: 200 }, () => generateCode(6)));
    assert.ok(distinct.size > 190);
  });

  it('checks by HMAC keyed to the verification, accepting spaces and full-width digits', () => {
    const stored = codeHmac(keys, 'v1', '123456');
    assert.equal(codeMatches(keys, 'v1', stored, '123456'), true);
    assert.equal(codeMatches(keys, 'v1', stored, ' 123 456 '), true);
    assert.equal(codeMatches(keys, 'v1', stored, '１２３４５６'), true);
    assert.equal(codeMatches(keys, 'v1', stored, '123457'), false);
    assert.equal(codeMatches(keys, 'v2', stored, '123456'), false, 'another verification, another key');
    assert.equal(codeMatches(keys, 'v1', stored, ''), false);
    assert.notEqual(stored, codeHmac(keys, 'v2', '123456'));
    assert.doesNotMatch(stored, /123456/);
    assert.equal(normaliseGuess('12-34 56'), '123456');
  });
});
