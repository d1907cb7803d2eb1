// The keyed checks of RADIUS, on raw bytes, compared in constant time.
//   Response Authenticator  RFC 2865 §3: MD5(Code|Id|Length|RequestAuth|Attributes|Secret)
//   Accounting/CoA Request  RFC 2866 §3, RFC 5176 §2.3: the same with 16 zero octets for the authenticator
//   Message-Authenticator   RFC 3579 §3.2 / RFC 2869 §5.14: HMAC-MD5 over the packet with its own value zeroed;
//     replies use the request's authenticator; accounting and CoA requests use zeros
//     and are then signed (Request Authenticator) with the Message-Authenticator in place.
import { createHash, hash, timingSafeEqual } from 'node:crypto';
import { HEADER_LENGTH, MAX_PACKET_LENGTH, type RawPacket } from './codec.ts';

const ZERO16 = Buffer.alloc(16);

// One-shot digests (crypto.hash) over the parts copied into one scratch buffer: a Hash
// or Hmac object per call costs several times the digest of a packet. The digest comes
// back as a latin1 string and is written where it is wanted: in Node 20 hash()'s
// 'buffer' output takes a slow path that costs more than the digest itself.
// HMAC-MD5 is RFC 2104 over MD5 with the key's inner and outer pads kept per secret.
// JavaScript runs one call at a time, so module-level scratch buffers serve every call.
const SCRATCH = Buffer.allocUnsafe(64 + 2 * MAX_PACKET_LENGTH + 128);
const INNER = Buffer.allocUnsafe(16);
const EXPECTED = Buffer.allocUnsafe(16);
const PASSWORD = Buffer.allocUnsafe(128);
const PASSWORDS: Buffer[] = []; // views of PASSWORD by length

// Views of SCRATCH by length, made once: packets come in a handful of lengths, and a
// Buffer view costs about as much to make as a quarter of the digest.
const VIEWS: Buffer[] = [];

/** MD5 of SCRATCH[0..length], written into out[at..at+16]. */
function digestScratch(length: number, out: Buffer, at: number): Buffer {
  out.write(hash('md5', (VIEWS[length] ??= SCRATCH.subarray(0, length)), 'binary'), at, 16, 'latin1');
  return out;
}

/** Whether `expected` equals the 16 bytes of `bytes` at `at`, in time that does not depend on where they differ. */
function equal16(expected: Buffer, bytes: Buffer, at: number): boolean {
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= expected[i] ^ bytes[at + i];
  return diff === 0;
}

/** MD5 of the parts in order, written into out[at..at+16]. */
function md5To(out: Buffer, at: number, parts: Buffer[]): Buffer {
  let off = 0;
  for (const p of parts) off += p.copy(SCRATCH, off);
  return digestScratch(off, out, at);
}

function md5(...parts: Buffer[]): Buffer {
  return md5To(Buffer.allocUnsafe(16), 0, parts);
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
    const key = secret.length > 64 ? createHash('md5').update(secret).digest() : secret;
    pads = { inner: Buffer.alloc(64, 0x36), outer: Buffer.alloc(64, 0x5c) };
    for (let i = 0; i < key.length; i++) {
      pads.inner[i] ^= key[i];
      pads.outer[i] ^= key[i];
    }
    padsBySecret.set(secret, pads);
  }
  return pads;
}

/** HMAC-MD5 of the message already placed at SCRATCH[64..64+length] (room left for a pad), into out[at..at+16]. */
function hmacScratch(secret: Buffer, length: number, out: Buffer, at: number): Buffer {
  const pads = padsOf(secret);
  pads.inner.copy(SCRATCH, 0);
  digestScratch(64 + length, INNER, 0);
  pads.outer.copy(SCRATCH, 0);
  INNER.copy(SCRATCH, 64);
  return digestScratch(80, out, at);
}

function hmacMd5To(out: Buffer, at: number, secret: Buffer, message: Buffer): Buffer {
  message.copy(SCRATCH, 64);
  return hmacScratch(secret, message.length, out, at);
}

/**
 * HMAC-MD5 of `bytes` as if the authenticator field held `authField` and the
 * Message-Authenticator value at `maOffset` were zero (the packet itself untouched).
 */
function messageAuthenticatorOf(bytes: Buffer, maOffset: number, authField: Buffer, secret: Buffer): Buffer {
  bytes.copy(SCRATCH, 64);
  authField.copy(SCRATCH, 64 + 4);
  SCRATCH.fill(0, 64 + maOffset, 64 + maOffset + 16);
  return hmacScratch(secret, bytes.length, EXPECTED, 0);
}

/** Access-Request and Status-Server: HMAC over the packet as sent, its random authenticator included. */
export function verifyRequestMessageAuthenticator(p: RawPacket, secret: Buffer): boolean {
  if (p.maOffset < 0) return false;
  const expected = messageAuthenticatorOf(p.bytes, p.maOffset, p.authenticator, secret);
  return equal16(expected, p.bytes, p.maOffset);
}

/** Accounting-Request, CoA-Request, Disconnect-Request: MD5 with a zeroed authenticator field. */
export function verifyAccountingRequestAuthenticator(p: RawPacket, secret: Buffer): boolean {
  const expected = md5To(EXPECTED, 0, [p.bytes.subarray(0, 4), ZERO16, p.bytes.subarray(HEADER_LENGTH), secret]);
  return timingSafeEqual(expected, p.authenticator);
}

/** Message-Authenticator of an accounting or CoA request: computed with the authenticator field zeroed. */
export function verifyAccountingMessageAuthenticator(p: RawPacket, secret: Buffer): boolean {
  if (p.maOffset < 0) return false;
  const expected = messageAuthenticatorOf(p.bytes, p.maOffset, ZERO16, secret);
  return equal16(expected, p.bytes, p.maOffset);
}

/**
 * Signs a reply built by writePacket with the request authenticator in its
 * authenticator field: first the Message-Authenticator (if `maOffset` >= 0), then
 * the Response Authenticator over the packet that already holds it.
 */
export function signResponse(reply: Buffer, maOffset: number, secret: Buffer): Buffer {
  if (maOffset >= 0) hmacMd5To(reply, maOffset, secret, reply);
  return md5To(reply, 4, [reply, secret]);
}

/** Signs an accounting/CoA/Disconnect request built with a zero authenticator field. */
export function signAccountingRequest(request: Buffer, maOffset: number, secret: Buffer): Buffer {
  if (maOffset >= 0) hmacMd5To(request, maOffset, secret, request);
  return md5To(request, 4, [request, secret]);
}

/** Signs an Access-Request (random authenticator already in place): only the Message-Authenticator. */
export function signAccessRequest(request: Buffer, maOffset: number, secret: Buffer): Buffer {
  return maOffset >= 0 ? hmacMd5To(request, maOffset, secret, request) : request;
}

/** Checks a reply (to a request we sent) on both authenticators. */
export function verifyResponse(
  reply: RawPacket,
  requestAuthenticator: Buffer,
  secret: Buffer,
  requireMessageAuthenticator: boolean,
): boolean {
  const expected = md5To(EXPECTED, 0, [
    reply.bytes.subarray(0, 4),
    requestAuthenticator,
    reply.bytes.subarray(HEADER_LENGTH),
    secret,
  ]);
  if (!timingSafeEqual(expected, reply.authenticator)) return false;
  if (reply.maOffset < 0) return !requireMessageAuthenticator;
  const ma = messageAuthenticatorOf(reply.bytes, reply.maOffset, requestAuthenticator, secret);
  return equal16(ma, reply.bytes, reply.maOffset);
}

// ---- passwords ---------------------------------------------------------------

/**
 * RFC 2865 §5.2 User-Password: c(i) = p(i) xor MD5(S + c(i-1)), c(0) = Request Authenticator.
 * Returns the plaintext WITH its zero padding (so comparisons can be length-blind), or
 * undefined when the ciphertext length is not a multiple of 16 between 16 and 128.
 */
export function decryptUserPassword(cipher: Buffer, requestAuthenticator: Buffer, secret: Buffer): Buffer | undefined {
  if (!userPasswordLengthValid(cipher.length)) return undefined;
  const plain = Buffer.allocUnsafe(cipher.length);
  for (let i = 0; i < cipher.length; i += 16) {
    // MD5(S + c(i-1)), assembled in the scratch buffer.
    secret.copy(SCRATCH, 0);
    if (i === 0) requestAuthenticator.copy(SCRATCH, secret.length, 0, 16);
    else cipher.copy(SCRATCH, secret.length, i - 16, i);
    const b = digestScratch(secret.length + 16, EXPECTED, 0);
    for (let j = 0; j < 16; j++) plain[i + j] = cipher[i + j] ^ b[j];
  }
  return plain;
}

/** RFC 2865 §5.2: a multiple of 16 octets, 16 to 128. Checked before anything is answered; decrypting waits until asked. */
export function userPasswordLengthValid(length: number): boolean {
  return length >= 16 && length <= 128 && length % 16 === 0;
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
  const padded = (PASSWORDS[paddedPlain.length] ??= PASSWORD.subarray(0, paddedPlain.length)).fill(0);
  padded.write(candidate, 0, 'utf8');
  const length = Buffer.byteLength(candidate, 'utf8');
  // An empty candidate never matches: an all-zero block would otherwise equal it.
  const sameBytes = timingSafeEqual(padded, paddedPlain);
  return sameBytes && length > 0 && length <= paddedPlain.length && !candidate.includes('\0');
}

/** RFC 1994 / RFC 2865 §2.2: CHAP response = MD5(ident | password | challenge). */
export function chapResponse(ident: number, password: string, challenge: Buffer): Buffer {
  return md5(Buffer.of(ident), Buffer.from(password, 'utf8'), challenge);
}

export function chapMatches(chapPassword: Buffer, challenge: Buffer, candidate: string): boolean {
  return timingSafeEqual(chapResponse(chapPassword[0], candidate, challenge), chapPassword.subarray(1, 17));
}
