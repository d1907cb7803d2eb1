// The keyed checks of radius/authenticators.ts against reference computations made here
// with node:crypto's own createHash/createHmac (RFC 2865, 2866, 2869, 3579, 2104), at the
// edges mutation testing found open: secrets longer than a block, packets without a
// Message-Authenticator, password lengths at the bounds, non-ASCII passwords.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  chapResponse,
  decryptUserPassword,
  encryptUserPassword,
  papMatches,
  signAccessRequest,
  signAccountingRequest,
  signResponse,
  verifyAccountingMessageAuthenticator,
  verifyAccountingRequestAuthenticator,
  verifyRequestMessageAuthenticator,
  verifyResponse,
} from '../../radius/authenticators.ts';
import { parsePacket, type RawPacket } from '../../radius/codec.ts';

const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();

/** A packet by hand: header, User-Name, and a zeroed Message-Authenticator when asked. */
function packet(code: number, auth: Buffer, withMa: boolean, name = 'guest'): { bytes: Buffer; maOffset: number } {
  const attrs = [Buffer.concat([Buffer.of(1, 2 + name.length), Buffer.from(name)])];
  if (withMa) attrs.push(Buffer.concat([Buffer.of(80, 18), Buffer.alloc(16)]));
  const body = Buffer.concat(attrs);
  const bytes = Buffer.concat([Buffer.of(code, 7, 0, 0), auth, body]);
  bytes.writeUInt16BE(bytes.length, 2);
  return { bytes, maOffset: withMa ? 20 + attrs[0].length + 2 : -1 };
}
const parsed = (b: Buffer) => parsePacket(b) as RawPacket;

// Secrets below, at and above the 64-byte HMAC block (a longer key is hashed first). New
// buffers each time: the HMAC pads are cached per secret buffer, and a cached pad would
// hide a change in how it is made.
const secrets = () => [Buffer.from('s3cret'), randomBytes(64), randomBytes(65), randomBytes(100)];

describe('RADIUS authenticators against reference computations', () => {
  it('Message-Authenticator of an Access-Request: HMAC-MD5 over the packet, for secrets of every length', () => {
    for (const secret of secrets()) {
      const { bytes, maOffset } = packet(1, randomBytes(16), true);
      const expected = createHmac('md5', secret).update(bytes).digest(); // MA still zero here
      signAccessRequest(bytes, maOffset, secret);
      assert.deepEqual(bytes.subarray(maOffset, maOffset + 16), expected, `secret of ${secret.length} bytes`);
      assert.equal(verifyRequestMessageAuthenticator(parsed(bytes), secret), true);
      bytes[maOffset] ^= 1;
      assert.equal(verifyRequestMessageAuthenticator(parsed(bytes), secret), false);
    }
  });

  it('an Access-Request without a Message-Authenticator is signed as it is and never verifies', () => {
    const secret = Buffer.from('s3cret');
    const { bytes } = packet(1, randomBytes(16), false);
    const before = Buffer.from(bytes);
    assert.deepEqual(signAccessRequest(bytes, -1, secret), before);
    assert.deepEqual(bytes, before, 'nothing written');
    assert.equal(verifyRequestMessageAuthenticator(parsed(bytes), secret), false);
  });

  it('Accounting-Request: Request Authenticator over zeros, with and without a Message-Authenticator', () => {
    for (const secret of secrets()) {
      for (const withMa of [false, true]) {
        const { bytes, maOffset } = packet(4, Buffer.alloc(16), withMa);
        const ma = withMa ? createHmac('md5', secret).update(bytes).digest() : undefined;
        const unsigned = Buffer.from(bytes);
        signAccountingRequest(bytes, maOffset, secret);
        if (ma) unsigned.set(ma, maOffset);
        assert.deepEqual(
          bytes.subarray(4, 20),
          md5(unsigned, secret),
          `request authenticator, secret ${secret.length}, MA ${withMa}`,
        );
        if (!withMa) assert.deepEqual(bytes.subarray(20), unsigned.subarray(20), 'no Message-Authenticator written');
        const p = parsed(bytes);
        assert.equal(verifyAccountingRequestAuthenticator(p, secret), true);
        assert.equal(verifyAccountingMessageAuthenticator(p, secret), withMa);
        const other = Buffer.from(bytes);
        other[other.length - 1] ^= 1;
        assert.equal(verifyAccountingRequestAuthenticator(parsed(other), secret), false);
      }
    }
  });

  it('replies: Response Authenticator and Message-Authenticator, checked as a client checks them', () => {
    for (const secret of secrets()) {
      for (const withMa of [false, true]) {
        const requestAuth = randomBytes(16);
        const { bytes, maOffset } = packet(2, requestAuth, withMa);
        const ma = withMa ? createHmac('md5', secret).update(bytes).digest() : undefined;
        const withValue = Buffer.from(bytes);
        if (ma) withValue.set(ma, maOffset);
        signResponse(bytes, maOffset, secret);
        assert.deepEqual(bytes.subarray(4, 20), md5(withValue, secret));
        const p = parsed(bytes);
        assert.equal(verifyResponse(p, requestAuth, secret, withMa), true);
        assert.equal(
          verifyResponse(p, requestAuth, secret, true),
          withMa,
          'a reply without Message-Authenticator fails when one is required',
        );
        assert.equal(verifyResponse(p, randomBytes(16), secret, false), false, 'another request authenticator');
        if (withMa) {
          const bad = Buffer.from(bytes);
          bad[maOffset] ^= 1;
          // Re-sign the response authenticator so only the Message-Authenticator is wrong.
          bad.set(md5(Buffer.concat([bad.subarray(0, 4), requestAuth, bad.subarray(20)]), secret), 4);
          assert.equal(verifyResponse(parsed(bad), requestAuth, secret, true), false);
        }
      }
    }
  });

  it('User-Password: RFC 2865 chaining both ways, lengths 16 to 128 only', () => {
    const secret = Buffer.from('s3cret');
    const auth = randomBytes(16);
    for (const password of ['a', 'x'.repeat(16), 'y'.repeat(17), 'пароль-с-кирилица', 'z'.repeat(128)]) {
      const p = Buffer.from(password, 'utf8');
      const padded = Buffer.alloc(Math.max(16, Math.ceil(p.length / 16) * 16));
      p.copy(padded);
      const ref = Buffer.alloc(padded.length);
      let prev = auth;
      for (let i = 0; i < padded.length; i += 16) {
        const b = md5(secret, prev);
        for (let j = 0; j < 16; j++) ref[i + j] = padded[i + j] ^ b[j];
        prev = ref.subarray(i, i + 16);
      }
      assert.deepEqual(encryptUserPassword(password, auth, secret), ref, password);
      assert.deepEqual(decryptUserPassword(ref, auth, secret), padded, password);
      assert.equal(papMatches(decryptUserPassword(ref, auth, secret)!, password), true);
    }
    for (const len of [0, 15, 17, 144])
      assert.equal(decryptUserPassword(randomBytes(len), auth, secret), undefined, `${len} bytes`);
    assert.equal(decryptUserPassword(randomBytes(128), auth, secret)?.length, 128);
  });

  it('PAP: an empty, longer, shorter or NUL-carrying candidate never matches', () => {
    const padded = Buffer.alloc(16);
    assert.equal(papMatches(padded, ''), false, 'empty against all zeros');
    const plain = Buffer.alloc(16);
    plain.write('secretpw');
    assert.equal(papMatches(plain, 'secretpw'), true);
    assert.equal(papMatches(plain, 'secretp'), false);
    assert.equal(papMatches(plain, 'secretpw\0'), false);
    const full = Buffer.from('0123456789abcdef');
    assert.equal(papMatches(full, '0123456789abcdef'), true);
    assert.equal(papMatches(full, '0123456789abcdefX'), false, 'longer than the block');
    const cyr = Buffer.alloc(16);
    cyr.write('парола');
    assert.equal(papMatches(cyr, 'парола'), true);
  });

  it('CHAP: MD5(ident | password as UTF-8 | challenge)', () => {
    const challenge = randomBytes(16);
    assert.deepEqual(chapResponse(7, 'парола', challenge), md5(Buffer.of(7), Buffer.from('парола', 'utf8'), challenge));
  });
});
