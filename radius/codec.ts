// RADIUS wire format. The `radius` package is used for one thing only: turning
// attribute bytes into named values through its dictionaries. Everything that
// decides whether a packet is genuine (lengths, authenticators) and everything
// we send is done here on raw bytes, because the package compares authenticators
// as UTF-8 strings, never requires Message-Authenticator, puts it last in
// replies and signs CoA/accounting requests in the wrong order.
import { createRequire } from 'node:module';
import { RadiusError } from './errors.ts';
import { dictionaryFiles } from './dictionaries.ts';

/** The part of the untyped `radius` package we rely on. */
export interface RadiusPackage {
  add_dictionary(file: string): void;
  load_dictionaries(): void;
  unload_dictionaries(): void;
  decode_without_secret(args: { packet: Buffer }): DecodedByPackage;
  decode(args: { packet: Buffer; secret: string }): DecodedByPackage;
  encode(args: {
    code: string;
    identifier?: number;
    secret: string;
    attributes?: Array<[string | number, unknown] | [string, string, unknown[]]>;
    add_message_authenticator?: boolean;
    authenticator?: Buffer;
  }): Buffer;
  verify_response(args: { request: Buffer; response: Buffer; secret: string }): boolean;
  attr_name_to_id(name: string, vendorId?: number | string): string | number | undefined;
  vendor_name_to_id(name: string): string | number | undefined;
}

export interface DecodedByPackage {
  code: string;
  identifier: number;
  length: number;
  authenticator: Buffer;
  attributes: Record<string, unknown>;
  raw_attributes: Array<[number, Buffer]>;
}

const require = createRequire(import.meta.url);
/** Exported for tests and load generators that use the package as a peer. */
export const radiusPackage = require('radius') as RadiusPackage;

export const CODE = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  DisconnectRequest: 40,
  DisconnectAck: 41,
  DisconnectNak: 42,
  CoaRequest: 43,
  CoaAck: 44,
  CoaNak: 45,
} as const;

export const CODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(CODE).map(([k, v]) => [v, k.replace(/([a-z])([A-Z])/g, '$1-$2').replace('Coa-', 'CoA-')]),
);

export const ATTR = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  NasIpAddress: 4,
  FramedIpAddress: 8,
  FilterId: 11,
  ReplyMessage: 18,
  State: 24,
  Class: 25,
  VendorSpecific: 26,
  SessionTimeout: 27,
  IdleTimeout: 28,
  CalledStationId: 30,
  CallingStationId: 31,
  NasIdentifier: 32,
  ProxyState: 33,
  AcctSessionId: 44,
  EventTimestamp: 55,
  ChapChallenge: 60,
  EapMessage: 79,
  MessageAuthenticator: 80,
  AcctInterimInterval: 85,
  ErrorCause: 101,
} as const;

export const HEADER_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
const MA_ATTR_LENGTH = 18;

let dictionariesLoaded = false;

/**
 * Adds our vendor dictionaries and (re)loads the package's tables. Idempotent.
 * Reloads when something already triggered the package's lazy load, since the
 * package would otherwise never read dictionaries added after its first use.
 */
export function loadDictionaries(): void {
  if (dictionariesLoaded) return;
  try {
    for (const file of dictionaryFiles()) radiusPackage.add_dictionary(file);
    radiusPackage.unload_dictionaries();
    radiusPackage.load_dictionaries();
  } catch (err) {
    throw new RadiusError('dictionary', `cannot load RADIUS dictionaries: ${(err as Error).message}`);
  }
  dictionariesLoaded = true;
}

/** A packet whose framing has been checked; views into the datagram, nothing copied. */
export interface RawPacket {
  code: number;
  identifier: number;
  /** Exactly `length` bytes (trailing padding beyond the length field removed). */
  bytes: Buffer;
  authenticator: Buffer;
  /** Offset of the Message-Authenticator VALUE in `bytes`, or -1. */
  maOffset: number;
  userPassword: Buffer | undefined;
  chapPassword: Buffer | undefined;
  chapChallenge: Buffer | undefined;
  hasEap: boolean;
  /** Whole Proxy-State attributes (header included), to echo in order (RFC 2865 §5.33). */
  proxyStates: readonly Buffer[];
  /** Start offsets of Vendor-Specific attributes the package cannot walk; left out of decoding. */
  unparsableVsas: readonly number[];
  /**
   * Some attribute (or VSA sub-attribute) value is shorter than 4 bytes. Only such a
   * value can make the package's decoder fail (an integer, date or tagged value cut
   * short), so a packet without one is known to decode and may be decoded lazily.
   */
  shortValue: boolean;
  /** Offsets of the first User-Name, Calling-Station-Id, Called-Station-Id, NAS-Identifier, NAS-IP-Address, Framed-IP-Address attributes, or -1. */
  at: {
    userName: number;
    callingStationId: number;
    calledStationId: number;
    nasIdentifier: number;
    nasIpAddress: number;
    framedIpAddress: number;
  };
}

/** Reason a datagram is not a RADIUS packet, or the packet. Returning beats throwing under a flood. */
export type ParseResult = RawPacket | { malformed: string };

export function parsePacket(datagram: Buffer): ParseResult {
  if (datagram.length < HEADER_LENGTH) return { malformed: 'truncated header' };
  const length = datagram.readUInt16BE(2);
  if (length < HEADER_LENGTH || length > MAX_PACKET_LENGTH) return { malformed: `length field ${length} out of range` };
  // RFC 2865 §3: shorter than its length field is discarded; longer is padding.
  if (datagram.length < length)
    return { malformed: `datagram shorter (${datagram.length}) than length field (${length})` };
  const bytes = datagram.length === length ? datagram : datagram.subarray(0, length);
  // Read into locals and built at the end as one literal: every packet gets the same shape,
  // and the rarely used lists are not made for packets that have none.
  let maOffset = -1;
  let userPassword: Buffer | undefined;
  let chapPassword: Buffer | undefined;
  let chapChallenge: Buffer | undefined;
  let hasEap = false;
  let shortValue = false;
  let proxyStates: Buffer[] | undefined;
  let unparsableVsas: number[] | undefined;
  let userName = -1;
  let callingStationId = -1;
  let calledStationId = -1;
  let nasIdentifier = -1;
  let nasIpAddress = -1;
  let framedIpAddress = -1;
  let off = HEADER_LENGTH;
  while (off < length) {
    if (off + 2 > length) return { malformed: `attribute header cut at ${off}` };
    const type = bytes[off];
    const alen = bytes[off + 1];
    if (alen < 2 || off + alen > length) return { malformed: `attribute ${type} at ${off} has bad length ${alen}` };
    if (alen < 6) shortValue = true;
    switch (type) {
      case ATTR.UserName:
        if (userName < 0) userName = off;
        break;
      case ATTR.CallingStationId:
        if (callingStationId < 0) callingStationId = off;
        break;
      case ATTR.CalledStationId:
        if (calledStationId < 0) calledStationId = off;
        break;
      case ATTR.NasIdentifier:
        if (nasIdentifier < 0) nasIdentifier = off;
        break;
      case ATTR.NasIpAddress:
        if (nasIpAddress < 0) nasIpAddress = off;
        break;
      case ATTR.FramedIpAddress:
        if (framedIpAddress < 0) framedIpAddress = off;
        break;
      case ATTR.MessageAuthenticator:
        if (alen !== MA_ATTR_LENGTH) return { malformed: `Message-Authenticator length ${alen}` };
        if (maOffset !== -1) return { malformed: 'two Message-Authenticators' };
        maOffset = off + 2;
        break;
      case ATTR.UserPassword:
        if (userPassword) return { malformed: 'two User-Passwords' };
        userPassword = bytes.subarray(off + 2, off + alen);
        break;
      case ATTR.ChapPassword:
        if (alen !== 19) return { malformed: `CHAP-Password length ${alen}` };
        chapPassword = bytes.subarray(off + 2, off + alen);
        break;
      case ATTR.ChapChallenge:
        chapChallenge = bytes.subarray(off + 2, off + alen);
        break;
      case ATTR.EapMessage:
        hasEap = true;
        break;
      case ATTR.ProxyState:
        (proxyStates ??= []).push(bytes.subarray(off, off + alen));
        break;
      case ATTR.VendorSpecific: {
        const walk = walkVsa(bytes, off, alen);
        if (walk === VSA_UNWALKABLE) (unparsableVsas ??= []).push(off);
        else if (walk === VSA_SHORT_VALUE) shortValue = true;
        break;
      }
    }
    off += alen;
  }
  return {
    code: bytes[0],
    identifier: bytes[1],
    bytes,
    authenticator: bytes.subarray(4, HEADER_LENGTH),
    maOffset,
    userPassword,
    chapPassword,
    chapChallenge,
    hasEap,
    proxyStates: proxyStates ?? NONE,
    unparsableVsas: unparsableVsas ?? NONE,
    shortValue,
    at: { userName, callingStationId, calledStationId, nasIdentifier, nasIpAddress, framedIpAddress },
  };
}

const NONE: readonly never[] = Object.freeze([]);

const VSA_OK = 0;
const VSA_UNWALKABLE = 1;
const VSA_SHORT_VALUE = 2;

// RFC 2865 §5.26 recommends, but does not require, type-length sub-attributes;
// the package throws on anything else, so such VSAs are kept out of decoding.
function walkVsa(b: Buffer, off: number, alen: number): number {
  if (alen < 8 || b[off + 2] !== 0) return VSA_UNWALKABLE;
  let s = off + 6;
  const end = off + alen;
  let short = false;
  while (s < end) {
    if (s + 2 > end) return VSA_UNWALKABLE;
    const slen = b[s + 1];
    if (slen < 2 || s + slen > end) return VSA_UNWALKABLE;
    if (slen < 6) short = true;
    s += slen;
  }
  return short ? VSA_SHORT_VALUE : VSA_OK;
}

/**
 * Named attributes through the package's dictionaries. Returns undefined when the
 * package cannot make sense of a value (e.g. a 2-byte integer): the caller drops it.
 * Encrypted values (User-Password) come out as null; read them from RawPacket.
 */
export function decodeAttributes(p: RawPacket): Record<string, unknown> | undefined {
  let packet = p.bytes;
  if (p.unparsableVsas.length) packet = withoutAttributesAt(p.bytes, p.unparsableVsas);
  try {
    const decoded = radiusPackage.decode_without_secret({ packet });
    const attrs = decoded.attributes;
    delete attrs['User-Password'];
    return attrs;
  } catch {
    return undefined;
  }
}

function withoutAttributesAt(bytes: Buffer, offsets: readonly number[]): Buffer {
  const parts: Buffer[] = [bytes.subarray(0, HEADER_LENGTH)];
  let off = HEADER_LENGTH;
  while (off < bytes.length) {
    const alen = bytes[off + 1];
    if (!offsets.includes(off)) parts.push(bytes.subarray(off, off + alen));
    off += alen;
  }
  const out = Buffer.concat(parts);
  out.writeUInt16BE(out.length, 2);
  return out;
}

// ---- building packets -------------------------------------------------------

/** One attribute ready to be written: a type and its value bytes (a VSA is type 26 with its own header inside). */
export interface WireAttribute {
  type: number;
  value: Buffer;
}

export type AttributeValue = number | string | Buffer;

/** A named attribute. Numbers become 4-byte integers, strings UTF-8, Buffers are written as they are. */
export interface NamedAttribute {
  name: string;
  value: AttributeValue;
}

interface ResolvedName {
  type: number;
  vendorId?: number;
}

const resolvedNames = new Map<string, ResolvedName>();
const VENDOR_PREFIXES: Array<[string, string]> = [
  ['WISPr-', 'WISPr'],
  ['ChilliSpot-', 'ChilliSpot'],
  ['Mikrotik-', 'Mikrotik'],
  ['Aruba-', 'Aruba'],
  ['Cisco-', 'Cisco'],
  ['Airespace-', 'Airespace'],
  ['Ruckus-', 'Ruckus'],
  ['Meraki-', 'Meraki'],
];

/** Attribute name to type (and vendor), from the loaded dictionaries; memoised so replies do no lookups. */
export function resolveAttribute(name: string): ResolvedName {
  const hit = resolvedNames.get(name);
  if (hit) return hit;
  loadDictionaries();
  let resolved: ResolvedName | undefined;
  const prefix = VENDOR_PREFIXES.find(([p]) => name.startsWith(p));
  if (prefix) {
    const vendorId = Number(radiusPackage.vendor_name_to_id(prefix[1]));
    const id = radiusPackage.attr_name_to_id(name, vendorId);
    if (id !== undefined && Number.isFinite(vendorId)) resolved = { type: Number(id), vendorId };
  } else {
    const id = radiusPackage.attr_name_to_id(name);
    if (id !== undefined) resolved = { type: Number(id) };
  }
  if (!resolved) throw new RadiusError('unknown-attribute', `attribute ${name} is in no loaded dictionary`);
  resolvedNames.set(name, resolved);
  return resolved;
}

/** IPv4 dotted quad to the 4 bytes of an ipaddr attribute. */
export function ipv4Bytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
    throw new RadiusError('malformed', `not an IPv4 address: ${ip}`);
  }
  return Buffer.from(parts);
}

/** An attribute to write: by type with its bytes, or by dictionary name (vendor ones wrapped in Vendor-Specific). */
export type PacketAttribute = WireAttribute | NamedAttribute;

/** Bytes of a value: numbers are 4-byte integers, strings UTF-8. */
function valueLength(v: AttributeValue): number {
  return typeof v === 'number' ? 4 : typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;
}

/** Writes the value at `off`; returns how many bytes it took. */
function writeValue(b: Buffer, off: number, v: AttributeValue): number {
  if (typeof v === 'number') return b.writeUInt32BE(Math.max(0, Math.min(0xffffffff, Math.floor(v))), off) - off;
  if (typeof v === 'string') return b.write(v, off, 'utf8');
  return v.copy(b, off);
}

/** Bytes the attribute takes on the wire, header (and VSA header) included; throws when its value cannot fit. */
function attributeLength(a: PacketAttribute): number {
  const vendor = 'name' in a && resolveAttribute(a.name).vendorId !== undefined;
  const n = valueLength(a.value);
  if (n > (vendor ? 247 : 253)) {
    const name = 'name' in a ? a.name : `attribute ${a.type}`;
    throw new RadiusError(
      'value-too-long',
      `${name} is ${n} bytes, at most ${vendor ? '247 fit in a VSA' : '253 fit'}`,
    );
  }
  return (vendor ? 8 : 2) + n;
}

/**
 * Writes header and attributes, each value straight into one buffer (small ones come from
 * the pool). With `leadingMessageAuthenticator`, a zeroed Message-Authenticator goes first
 * (BlastRADIUS: a forged prefix cannot move it). `tail` holds whole attributes
 * (Proxy-State) copied verbatim at the end.
 */
export function writePacket(
  code: number,
  identifier: number,
  authenticatorField: Buffer,
  attrs: readonly PacketAttribute[],
  leadingMessageAuthenticator: boolean,
  tail: readonly Buffer[] = [],
): Buffer {
  let off = HEADER_LENGTH + (leadingMessageAuthenticator ? MA_ATTR_LENGTH : 0);
  let length = off;
  for (const a of attrs) length += attributeLength(a);
  for (const t of tail) length += t.length;
  if (length > MAX_PACKET_LENGTH) throw new RadiusError('packet-too-large', `packet would be ${length} bytes`);
  // Every byte is written below, so the buffer need not be zeroed.
  const b = Buffer.allocUnsafe(length);
  b[0] = code;
  b[1] = identifier;
  b.writeUInt16BE(length, 2);
  authenticatorField.copy(b, 4, 0, 16);
  if (leadingMessageAuthenticator) {
    b[HEADER_LENGTH] = ATTR.MessageAuthenticator;
    b[HEADER_LENGTH + 1] = MA_ATTR_LENGTH;
    b.fill(0, HEADER_LENGTH + 2, HEADER_LENGTH + MA_ATTR_LENGTH); // zero until signed
  }
  for (const a of attrs) {
    const r: ResolvedName = 'name' in a ? resolveAttribute(a.name) : a;
    const vsa = r.vendorId === undefined ? 0 : 6;
    const n = writeValue(b, off + vsa + 2, a.value);
    if (vsa) {
      b[off] = ATTR.VendorSpecific;
      b[off + 1] = 8 + n;
      b.writeUInt32BE(r.vendorId!, off + 2);
    }
    b[off + vsa] = r.type;
    b[off + vsa + 1] = 2 + n;
    off += vsa + 2 + n;
  }
  for (const t of tail) off += t.copy(b, off);
  return b;
}

/** Splits a long text over several attributes of the same type, as RFC 2865 allows for Reply-Message. */
export function splitText(name: string, text: string): NamedAttribute[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: NamedAttribute[] = [];
  for (let i = 0; i < bytes.length; i += 253) out.push({ name, value: bytes.subarray(i, i + 253) });
  return out;
}
