// Field encryption at rest (AES-256-GCM): personal data, NAS secrets, codes.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keys } from './keys.ts';
import { StoreError } from '../store/db.ts';

const VERSION = 'v1';

export interface FieldCipher {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

export function fieldCipher(keys: Keys): FieldCipher {
  const key = keys.key('field-encryption');
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return `${VERSION}:${Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64')}`;
    },
    decrypt(stored) {
      const [version, body] = stored.split(':', 2);
      if (version !== VERSION || !body) throw new Error('field_cipher_format: unknown encrypted field format');
      const raw = Buffer.from(body, 'base64');
      try {
        const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        d.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
      } catch (err) {
        // Almost always a SECRET_KEY other than the one that wrote the data: an outage to
        // fix in the configuration (503 pages, silent RADIUS), not a bug to answer with a 500.
        throw new StoreError(
          'unavailable',
          'stored data cannot be decrypted: is SECRET_KEY the one this database was written with?',
          err,
        );
      }
    },
  };
}
