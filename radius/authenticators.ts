// The keyed checks of RADIUS, on raw bytes, compared with timingSafeEqual.
//   Response Authenticator  RFC 2865 §3: MD5(Code|Id|Length|RequestAuth|Attributes|Secret)
//   Accounting/CoA Request  RFC 2866 §3, RFC 5176 §2.3: the same with 16 zero octets for the authenticator
//   Message-Authenticator   RFC 3579 §3.2 / RFC 2869 §5.14: HMAC-MD5 over the packet with its own value zeroed;
//     replies use the request's authenticator; accounting and CoA requests use zeros
//     and are then signed (Request Authenticator) with the Message-Authenticator in place.
import * as crypto from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { HEADER_LENGTH, MAX_PACKET_LENGTH, type RawPacket } from './codec.ts';

const ZERO16 = Buffer.alloc(16);

// One-shot digests (crypto.hash, Node >= 20.12) over the parts copied into one scratch
// buffer: a Hash or Hmac object per call costs several times the digest of a packet.
// HMAC-MD5 is RFC 2104 over MD5 with the key's inner and outer pads kept per secret.
// JavaScript runs one call at a time, so one scratch buffer serves every call.
type OneShot = (algorithm: string, data: Buffer, outputEncoding: 'buffer') => Buffer;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;
const SCRATCH = Buffer.allocUnsafe(64 + 2 * MAX_PACKET_LENGTH + 128);

function digestOf(pad: Buffer | undefined, parts: Buffer[]): Buffer {
  if (!oneShot) {
    const h = crypto.createHash('md5');
    if (pad) h.update(pad);
    for (const p of parts) h.update(p);
    return h.digest();
  }
  let off = 0;
  if (pad) off += pad.copy(SCRATCH, 0);
  for (const p of parts) off += p.copy(SCRATCH, off);
  return oneShot('md5', SCRATCH.subarray(0, off), 'buffer');
}

function md5(...parts: Buffer[]): Buffer {
  return digestOf(undefined, parts);
}

interface Pads {
  inner: Buffer;
  outer: Buffer;
}
const padsBySecret = new WeakMap<Buffer, Pads>();

function padsOf(secret: Buffer): Pads {
  let pads = padsBySecret.get(secret);
  if (!pads) {
    // A key longer than the block is replaced by its digest (RFC 2104 §2).
    const key = secret.length > 64 ? crypto.createHash('md5').update(secret).digest() : secret;
    pads = { inner: Buffer.alloc(64, 0x36), outer: Buffer.alloc(64, 0x5c) };
    for (let i = 0; i < key.length; i++) {
      pads.inner[i] ^= key[i];
      pads.outer[i] ^= key[i];
    }
    padsBySecret.set(secret, pads);
  }
  return pads;
}

function hmacMd5(secret: Buffer, ...parts: Buffer[]): Buffer {
  const pads = padsOf(secret);
  return digestOf(pads.outer, [digestOf(pads.inner, parts)]);
}

/**
 * HMAC-MD5 of `bytes` as if the authenticator field held `authField` and the
 * Message-Authenticator value at `maOffset` were zero, without copying the packet.
 */
function messageAuthenticatorOf(bytes: Buffer, maOffset: number, authField: Buffer, secret: Buffer): Buffer {
  return hmacMd5(
    secret,
    bytes.subarray(0, 4),
    authField,
    bytes.subarray(HEADER_LENGTH, maOffset),
    ZERO16,
    bytes.subarray(maOffset + 16),
  );
}

/** Access-Request and Status-Server: HMAC over the packet as sent, its random authenticator included. */
export function verifyRequestMessageAuthenticator(p: RawPacket, secret: Buffer): boolean {
  if (p.maOffset < 0) return false;
  const expected = messageAuthenticatorOf(p.bytes, p.maOffset, p.authenticator, secret);
  return timingSafeEqual(expected, p.bytes.subarray(p.maOffset, p.maOffset + 16));
}

/** Accounting-Request, CoA-Request, Disconnect-Request: MD5 with a zeroed authenticator field. */
export function verifyAccountingRequestAuthenticator(p: RawPacket, secret: Buffer): boolean {
  const expected = md5(p.bytes.subarray(0, 4), ZERO16, p.bytes.subarray(HEADER_LENGTH), secret);
  return timingSafeEqual(expected, p.authenticator);
}

/** Message-Authenticator of an accounting or CoA request: computed with the authenticator field zeroed. */
export function verifyAccountingMessageAuthenticator(p: RawPacket, secret: Buffer): boolean {
  if (p.maOffset < 0) return false;
  const expected = messageAuthenticatorOf(p.bytes, p.maOffset, ZERO16, secret);
  return timingSafeEqual(expected, p.bytes.subarray(p.maOffset, p.maOffset + 16));
}

/**
 * Signs a reply built by writePacket with the request authenticator in its
 * authenticator field: first the Message-Authenticator (if `maOffset` >= 0), then
 * the Response Authenticator over the packet that already holds it.
 */
export function signResponse(reply: Buffer, maOffset: number, secret: Buffer): Buffer {
  if (maOffset >= 0) hmacMd5(secret, reply).copy(reply, maOffset);
  md5(reply, secret).copy(reply, 4);
  return reply;
}

/** Signs an accounting/CoA/Disconnect request built with a zero authenticator field. */
export function signAccountingRequest(request: Buffer, maOffset: number, secret: Buffer): Buffer {
  if (maOffset >= 0) hmacMd5(secret, request).copy(request, maOffset);
  md5(request, secret).copy(request, 4);
  return request;
}

/** Signs an Access-Request (random authenticator already in place): only the Message-Authenticator. */
export function signAccessRequest(request: Buffer, maOffset: number, secret: Buffer): Buffer {
  if (maOffset >= 0) hmacMd5(secret, request).copy(request, maOffset);
  return request;
}

/** Checks a reply (to a request we sent) on both authenticators. */
export function verifyResponse(reply: RawPacket, requestAuthenticator: Buffer, secret: Buffer, requireMessageAuthenticator: boolean): boolean {
  const expected = md5(reply.bytes.subarray(0, 4), requestAuthenticator, reply.bytes.subarray(HEADER_LENGTH), secret);
  if (!timingSafeEqual(expected, reply.authenticator)) return false;
  if (reply.maOffset < 0) return !requireMessageAuthenticator;
  const ma = messageAuthenticatorOf(reply.bytes, reply.maOffset, requestAuthenticator, secret);
  return timingSafeEqual(ma, reply.bytes.subarray(reply.maOffset, reply.maOffset + 16));
}

// ---- passwords ---------------------------------------------------------------

/**
 * RFC 2865 §5.2 User-Password: c(i) = p(i) xor MD5(S + c(i-1)), c(0) = Request Authenticator.
 * Returns the plaintext WITH its zero padding (so comparisons can be length-blind), or
 * undefined when the ciphertext length is not a multiple of 16 between 16 and 128.
 */
export function decryptUserPassword(cipher: Buffer, requestAuthenticator: Buffer, secret: Buffer): Buffer | undefined {
  if (cipher.length < 16 || cipher.length > 128 || cipher.length % 16 !== 0) return undefined;
  const plain = Buffer.allocUnsafe(cipher.length);
  let prev = requestAuthenticator;
  for (let i = 0; i < cipher.length; i += 16) {
    const b = md5(secret, prev);
    for (let j = 0; j < 16; j++) plain[i + j] = cipher[i + j] ^ b[j];
    prev = cipher.subarray(i, i + 16);
  }
  return plain;
}

/** The inverse, for clients (tests, load generators). */
export function encryptUserPassword(password: string, requestAuthenticator: Buffer, secret: Buffer): Buffer {
  const p = Buffer.from(password, 'utf8');
  const len = Math.max(16, Math.ceil(p.length / 16) * 16);
  const padded = Buffer.alloc(len);
  p.copy(padded);
  const out = Buffer.allocUnsafe(len);
  let prev = requestAuthenticator;
  for (let i = 0; i < len; i += 16) {
    const b = md5(secret, prev);
    for (let j = 0; j < 16; j++) out[i + j] = padded[i + j] ^ b[j];
    prev = out.subarray(i, i + 16);
  }
  return out;
}

/** Constant-time PAP check against the zero-padded plaintext. */
export function papMatches(paddedPlain: Buffer, candidate: string): boolean {
  const c = Buffer.from(candidate, 'utf8');
  const padded = Buffer.alloc(paddedPlain.length);
  c.copy(padded, 0, 0, Math.min(c.length, padded.length));
  // An empty candidate never matches: an all-zero block would otherwise equal it.
  const sameBytes = timingSafeEqual(padded, paddedPlain);
  return sameBytes && c.length > 0 && c.length <= paddedPlain.length && !c.includes(0);
}

/** RFC 1994 / RFC 2865 §2.2: CHAP response = MD5(ident | password | challenge). */
export function chapResponse(ident: number, password: string, challenge: Buffer): Buffer {
  return md5(Buffer.of(ident), Buffer.from(password, 'utf8'), challenge);
}

export function chapMatches(chapPassword: Buffer, challenge: Buffer, candidate: string): boolean {
  return timingSafeEqual(chapResponse(chapPassword[0], candidate, challenge), chapPassword.subarray(1, 17));
}
