// Keys.hmac and Keys.mac (portal/crypto/keys.ts) sign under the subkey of both the secret
// and the purpose: one keyed by purpose alone would sign one process's (or test context's)
// tokens with another's key, and one keyed by secret alone would let a CSRF token pass as
// an entry token's signature.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { deriveKeys, type KeyPurpose } from '../../portal/crypto/keys.ts';

const PURPOSES: KeyPurpose[] = [
  'number-hash',
  'field-encryption',
  'cookies',
  'code-hmac',
  'csrf',
  'guest-entry',
  'guest-flow',
  'ledger-chain',
];

describe('keyed hashes under each subkey', function () {
  it('equal HMAC-SHA256 under each purpose subkey, as hex (hmac) and base64url (mac)', function () {
    const keys = deriveKeys('a-secret-of-at-least-thirty-two-characters-0001');
    for (const p of PURPOSES) {
      for (const data of ['', 'flow-id', 'é'.repeat(300)]) {
        const want = createHmac('sha256', keys.key(p)).update(data);
        const raw = want.digest();
        assert.equal(keys.hmac(p, data), raw.toString('hex'), p);
        assert.equal(keys.mac(p, data), raw.toString('base64url'), p);
      }
    }
  });

  it('differ between secrets and between purposes, asked in turn', function () {
    const a = deriveKeys('a-secret-of-at-least-thirty-two-characters-0001');
    const b = deriveKeys('a-secret-of-at-least-thirty-two-characters-0002');
    const seen = new Set<string>();
    for (const p of PURPOSES) {
      for (const keys of [a, b]) {
        const m = keys.mac(p, 'same input');
        assert.ok(!seen.has(m), `${p}: the same MAC under another secret or purpose`);
        seen.add(m);
        assert.equal(keys.hmac(p, 'same input'), Buffer.from(m, 'base64url').toString('hex'));
      }
    }
  });
});
