// A grant is asked about again and again, and AES-GCM costs more than the rest of a
// cache hit: each stored password is decrypted once (bounded, oldest dropped first).
// One per RADIUS policy (policy.ts), for that policy's cipher.
import type { FieldCipher } from '../crypto/fields.ts';

export class PasswordCache {
  private passwords = new Map<string, string>();

  constructor(
    private cipher: FieldCipher,
    private maxEntries = 20_000,
  ) {}

  get(passwordEnc: string): string {
    let password = this.passwords.get(passwordEnc);
    if (password === undefined) {
      password = this.cipher.decrypt(passwordEnc);
      if (this.passwords.size >= this.maxEntries) this.passwords.delete(this.passwords.keys().next().value!);
      this.passwords.set(passwordEnc, password);
    }
    return password;
  }
}
