// How a text travels as SMS: GSM 03.38 7-bit default alphabet when every character fits
// (extension table characters cost two septets), otherwise UCS-2 (Cyrillic always does).
// Long texts are cut into parts that each carry a concatenation UDH (3GPP TS 23.040
// information element 0x00, 8-bit reference): 160/153 septets, 70/67 UCS-2 code units.

export type SmsEncoding = 'gsm7' | 'ucs2';

/** SMPP data_coding: 0 = the SMSC default alphabet (GSM 7-bit), 8 = UCS-2. */
export const DATA_CODING: Record<SmsEncoding, number> = { gsm7: 0x00, ucs2: 0x08 };

// The default alphabet, position = septet value. 0x1B is the escape to the extension table.
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION: Record<string, number> = {
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '€': 0x65,
};
const ESC = 0x1b;

const basicIndex = new Map<string, number>();
for (let i = 0; i < BASIC.length; i++) if (i !== ESC) basicIndex.set(BASIC[i], i);
const extensionChar = new Map<number, string>(Object.entries(EXTENSION).map(([c, v]) => [v, c]));

/** The septets of `text` (escape sequences included), or null when a character is not in the alphabet. */
export function gsmSeptets(text: string): number[] | null {
  const out: number[] = [];
  for (const ch of text) {
    const b = basicIndex.get(ch);
    if (b !== undefined) out.push(b);
    else if (ch in EXTENSION) out.push(ESC, EXTENSION[ch]);
    else return null;
  }
  return out;
}

/** Septets (one per octet, as SMPP carries them) back to text. */
export function decodeGsmSeptets(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === ESC && i + 1 < bytes.length) s += extensionChar.get(bytes[++i]) ?? ' ';
    else s += BASIC[bytes[i] & 0x7f] ?? ' ';
  }
  return s;
}

export function chooseEncoding(text: string): SmsEncoding {
  return gsmSeptets(text) ? 'gsm7' : 'ucs2';
}

export interface SmsParts {
  encoding: SmsEncoding;
  dataCoding: number;
  /** Each part's user data without the UDH: septets one per octet (GSM), or UTF-16BE (UCS-2). */
  parts: Buffer[];
}

/** Splits `text` into as few SMS as its encoding allows, never cutting an escape sequence or a surrogate pair. */
export function splitSms(text: string): SmsParts {
  const septets = gsmSeptets(text);
  if (septets) {
    const chunks: number[][] = [];
    if (septets.length <= 160) chunks.push(septets);
    else {
      let i = 0;
      while (i < septets.length) {
        let end = Math.min(i + 153, septets.length);
        // An escape must stay with the character it introduces (no extension value is 0x1B).
        if (end < septets.length && septets[end - 1] === ESC) end--;
        chunks.push(septets.slice(i, end));
        i = end;
      }
    }
    return { encoding: 'gsm7', dataCoding: DATA_CODING.gsm7, parts: chunks.map((c) => Buffer.from(c)) };
  }
  const units: number[] = [];
  for (let i = 0; i < text.length; i++) units.push(text.charCodeAt(i));
  const chunks: number[][] = [];
  if (units.length <= 70) chunks.push(units);
  else {
    let i = 0;
    while (i < units.length) {
      let end = Math.min(i + 67, units.length);
      if (end < units.length && units[end - 1] >= 0xd800 && units[end - 1] <= 0xdbff) end--;
      chunks.push(units.slice(i, end));
      i = end;
    }
  }
  return {
    encoding: 'ucs2',
    dataCoding: DATA_CODING.ucs2,
    parts: chunks.map((c) => {
      const b = Buffer.alloc(c.length * 2);
      c.forEach((u, k) => b.writeUInt16BE(u, k * 2));
      return b;
    }),
  };
}

/** Concatenated-SMS user data header: IEI 0x00, 8-bit reference, total parts, this part (1-based). */
export function concatUdh(ref: number, total: number, seq: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, seq]);
}

/** Number of SMS the text needs. */
export const smsPartCount = (text: string): number => splitSms(text).parts.length;
