// screen 1 and the after-login check read the NAS redirect's query with their own parser
// (portal/guest/request.ts parseSingleQuery, cheaper than building a URLSearchParams per
// probe); the rule stays URLSearchParams': this compares the two on the odd cases a NAS or
// an attacker can send and on random strings of the characters that matter.
import assert from 'node:assert/strict';
import { parseSingleQuery } from '../../portal/guest/request.ts';

/** What the parser must equal: URLSearchParams' first value per name, names <= 64, values cut at 2,048 (as an object's entries: integer-like names first). */
function reference(qs: string): Array<[string, string]> {
  const first = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(qs)) if (k.length <= 64 && !first.has(k)) first.set(k, v.slice(0, 2048));
  return Object.entries(Object.fromEntries(first));
}

describe('the NAS redirect query, read as URLSearchParams reads it', function () {
  it('agrees on odd cases: repeats, empty parts, +, bad %, non-UTF-8, a leading ?, long names and values', function () {
    const cases = [
      '',
      'a',
      'a=',
      '=b',
      'a=1&a=2',
      'a=1&&b=2&',
      '&&',
      'a=%zz&b=%41',
      'x+y=a+b%2B',
      '%E2%82%AC=%E2%82',
      'a=%ff',
      'a=%',
      'a%=1',
      '%zz=1&%zz=2',
      'a==b=c',
      'a=1;b=2',
      '?a=1',
      '??a=1',
      'a=%F0%9F%98%80',
      'é=ü',
      `${'k'.repeat(65)}=1&${'k'.repeat(64)}=2`,
      `v=${'x'.repeat(3000)}`,
      'res=success&uamip=10.1.0.1&userurl=http%3A%2F%2Fexample.com%2F%3Fa%3D1%26b%3D2',
    ];
    for (const c of cases) assert.deepEqual(Object.entries(parseSingleQuery(c)), reference(c), JSON.stringify(c));
  });

  it('keeps "__proto__", "constructor" and "toString" as names like any other', function () {
    const q = parseSingleQuery('__proto__=1&constructor=2&toString=3&hasOwnProperty=4');
    assert.deepEqual(Object.entries(q), [
      ['__proto__', '1'],
      ['constructor', '2'],
      ['toString', '3'],
      ['hasOwnProperty', '4'],
    ]);
    assert.equal(Object.getPrototypeOf(q), null);
  });

  it('agrees on 20,000 random strings of =, &, %, +, hex digits and multi-byte text', function () {
    const parts = ['a', 'b', '=', '&', '%', '+', '2', 'B', 'f', 'C', '3', '%41', '%E2%82%AC', '%ff', '%C3', 'é', '?'];
    let seed = 1;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n) as number;
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      for (let j = rnd(14); j > 0; j--) s += parts[rnd(parts.length)];
      assert.deepEqual(Object.entries(parseSingleQuery(s)), reference(s), JSON.stringify(s));
    }
  });
});
