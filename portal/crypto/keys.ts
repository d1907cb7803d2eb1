// SECRET_KEY from the environment, or generated once into DATA_DIR (mode 0600).
// Every purpose gets its own subkey (HKDF), so one leak does not unlock the rest.
import { hkdfSync, randomBytes, createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

// guest-entry signs screen 1's entry token; guest-flow hashes a flow's browser secret and hand-back key.
// ledger-chain keys the consent ledger's hashes and seals its head.
export type KeyPurpose =
  'number-hash' | 'field-encryption' | 'cookies' | 'code-hmac' | 'csrf' | 'guest-entry' | 'guest-flow' | 'ledger-chain';

export interface Keys {
  key(purpose: KeyPurpose): Buffer;
  /** Keyed hash (HMAC-SHA256, hex) for lookups that must not reveal the input. */
  hmac(purpose: KeyPurpose, data: string): string;
  /** The same HMAC-SHA256 as base64url (tokens in forms, links and cookies). */
  mac(purpose: KeyPurpose, data: string): string;
}

export function loadSecretKey(secretKey: string | undefined, dataDir: string): string {
  if (secretKey) return secretKey;
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const generated = randomBytes(32).toString('hex');
  writeFileSync(file, generated + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return generated;
}

export function deriveKeys(secret: string): Keys {
  const cache = new Map<KeyPurpose, Buffer>();
  const key = (purpose: KeyPurpose): Buffer => {
    let k = cache.get(purpose);
    if (!k) {
      k = Buffer.from(hkdfSync('sha256', secret, 'foyer', `foyer/${purpose}`, 32));
      cache.set(purpose, k);
    }
    return k;
  };
  return {
    key,
    hmac: (purpose, data) => createHmac('sha256', key(purpose)).update(data).digest('hex'),
    mac: (purpose, data) => createHmac('sha256', key(purpose)).update(data).digest('base64url'),
  };
}

export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = Buffer.isBuffer(a) ? a : Buffer.from(a);
  const y = Buffer.isBuffer(b) ? b : Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
