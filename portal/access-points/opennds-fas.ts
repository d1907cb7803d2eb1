// openNDS FAS query strings. Level 1 (current releases) sends `fas` = base64 of
// "name=value, name=value, …"; levels 2 and 3 send that string AES-256-CBC encrypted the way
// openNDS's PHP helper does it: openssl_encrypt($string, 'aes-256-cbc', $faskey, 0, $iv),
// base64 encoded once more, with `iv` = 16 hex characters used as the raw IV bytes. PHP
// pads a short key with NULs and cuts a long one at 32 bytes; we do the same.
import { createDecipheriv, createHash } from 'node:crypto';
import { HandoffError } from './handoff.ts';

/** PHP openssl_* key handling: NUL padded or truncated to the cipher's 32 bytes. */
export function phpAesKey(faskey: string): Buffer {
  const key = Buffer.alloc(32);
  Buffer.from(faskey, 'utf8').copy(key, 0, 0, 32);
  return key;
}

function b64(s: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) throw new HandoffError(`${what} is not base64`);
  return Buffer.from(s, 'base64');
}

/** "a=1, b=2" → {a:'1', b:'2'}; openNDS may add or reorder names, so parse by name. */
export function parseFasList(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(', ')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1);
  }
  return out;
}

export function decodeFasLevel1(fas: string): Record<string, string> {
  const list = parseFasList(b64(fas, 'the fas parameter').toString('utf8'));
  if (!list.hid && !list.clientip) throw new HandoffError('the fas parameter holds no client');
  return list;
}

export function decryptFas(fas: string, iv: string, faskey: string | undefined): Record<string, string> {
  if (!faskey) throw new HandoffError('the fas parameter is encrypted but no faskey is configured for this NAS');
  if (!/^[0-9a-zA-Z]{16}$/.test(iv)) throw new HandoffError('the iv parameter is not 16 characters');
  // Outer base64 (openNDS) around the base64 that openssl_encrypt returns without OPENSSL_RAW_DATA.
  const inner = b64(fas, 'the fas parameter').toString('latin1');
  const cipherText = b64(inner, 'the decoded fas parameter');
  let clear: string;
  try {
    const d = createDecipheriv('aes-256-cbc', phpAesKey(faskey), Buffer.from(iv, 'latin1'));
    clear = Buffer.concat([d.update(cipherText), d.final()]).toString('utf8');
  } catch {
    throw new HandoffError("the fas parameter cannot be decrypted with this NAS's faskey");
  }
  const list = parseFasList(clear);
  if (!list.hid && !list.clientip)
    throw new HandoffError("the fas parameter cannot be decrypted with this NAS's faskey");
  return list;
}

/** What FAS returns as `tok`: sha256(trim(hid) . trim(faskey)), hex, as openNDS checks it. */
export function rhid(hid: string, faskey: string): string {
  return createHash('sha256')
    .update(hid.trim() + faskey.trim())
    .digest('hex');
}

/** The name authmon files authorisations under: sha256 of the gateway name. */
export function gatewayHash(gatewayname: string): string {
  return createHash('sha256').update(gatewayname.trim()).digest('hex');
}
