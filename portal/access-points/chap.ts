// The password arithmetic NASes expect from a portal. Each function mirrors what the NAS
// (or the RADIUS server behind it) computes, so the Access-Request it builds verifies.
import { createHash } from 'node:crypto';
import { HandoffError } from './handoff.ts';

export function md5(...parts: Array<Buffer | string>): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** RFC 1994: MD5(identifier | secret | challenge). */
export function chapResponse(id: number, password: string, challenge: Buffer): Buffer {
  return md5(Buffer.from([id & 0xff]), Buffer.from(password, 'utf8'), challenge);
}

/** A hex challenge of `bytes` bytes as the NAS sent it. */
export function hexChallenge(raw: string | undefined, bytes: number, what: string): Buffer {
  if (raw === undefined || !new RegExp(`^[0-9a-f]{${bytes * 2}}$`, 'i').test(raw)) {
    throw new HandoffError(`the ${what} is not ${bytes} bytes of hex`);
  }
  return Buffer.from(raw, 'hex');
}

/**
 * CoovaChilli's working challenge: with a uamsecret, MD5(challenge | uamsecret); else the
 * challenge itself. It is both the CHAP-Challenge chilli sends and the PAP key.
 */
export function coovaChallenge(challenge: Buffer, uamSecret?: string): Buffer {
  return uamSecret ? md5(challenge, Buffer.from(uamSecret, 'utf8')) : Buffer.from(challenge);
}

/**
 * CoovaChilli UAM PAP: the password XORed with the working challenge, repeated every 16
 * bytes, padded with NULs to a whole block (as hotspotlogin.cgi does, so old chilli builds
 * that always decode 16 bytes see a terminated string too), hex encoded.
 */
export function coovaPapPassword(password: string, challenge: Buffer, uamSecret?: string): string {
  const key = coovaChallenge(challenge, uamSecret);
  const clear = Buffer.from(password, 'utf8');
  if (clear.length > 128) throw new HandoffError('the password is longer than RADIUS allows');
  if (clear.includes(0)) throw new HandoffError('the password contains a NUL byte');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(clear.length / 16) * 16));
  clear.copy(padded);
  for (let i = 0; i < padded.length; i++) padded[i] ^= key[i % 16];
  return padded.toString('hex');
}

/** CoovaChilli UAM CHAP: MD5(0 | password | working challenge), hex; chilli sends ident 0. */
export function coovaChapResponse(password: string, challenge: Buffer, uamSecret?: string): string {
  return chapResponse(0, password, coovaChallenge(challenge, uamSecret)).toString('hex');
}

/**
 * MikroTik puts binary values into hotspot pages octal-escaped: "\343\123…". Only complete
 * three-digit escapes are accepted; anything else means the value was mangled on the way.
 */
export function decodeOctalEscapes(raw: string | undefined, what: string): Buffer {
  if (raw === undefined || raw === '') throw new HandoffError(`the ${what} is missing`);
  if (!/^(\\[0-7]{3})+$/.test(raw)) throw new HandoffError(`the ${what} is not octal-escaped bytes`);
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i += 4) {
    const n = parseInt(raw.slice(i + 1, i + 4), 8);
    if (n > 0xff) throw new HandoffError(`the ${what} has an octal escape above \\377`);
    bytes.push(n);
  }
  return Buffer.from(bytes);
}
