// "The Access-Request that vendor's NAS would build" from a hand-back: what a RADIUS
// round-trip test needs to send in place of real equipment. Pure functions; each undoes
// the portal-side encoding exactly as the NAS does (CoovaChilli decodes the UAM PAP
// password, MikroTik forwards the CHAP response with its own id and challenge).
import type { AdapterContext, HandBack, Handoff } from './handoff.ts';
import { coovaChallenge } from './chap.ts';

export interface NasAccessRequest {
  userName: string;
  method: 'pap' | 'chap';
  /** PAP: the clear-text User-Password before RADIUS hides it with the shared secret. */
  userPassword?: string;
  /** CHAP: CHAP-Challenge, and CHAP-Password = identifier (1 byte) | 16-byte response. */
  chapChallenge?: Buffer;
  chapPassword?: Buffer;
  callingStationId?: string;
  calledStationId?: string;
  nasIdentifier?: string;
  framedIpAddress?: string;
}

/** Calling-Station-Id in the IEEE 802 form RFC 3580 recommends (AA-BB-CC-DD-EE-FF). */
export function stationId(mac: string | undefined): string | undefined {
  return mac?.toUpperCase().replace(/:/g, '-');
}

function common(
  h: Handoff,
): Pick<NasAccessRequest, 'callingStationId' | 'calledStationId' | 'nasIdentifier' | 'framedIpAddress'> {
  return {
    callingStationId: stationId(h.clientMac),
    calledStationId: h.apMac ? `${stationId(h.apMac)}${h.ssid ? `:${h.ssid}` : ''}` : undefined,
    nasIdentifier: h.nasId,
    framedIpAddress: h.clientIp,
  };
}

/** CoovaChilli's decoding of GET /logon?username&password|response (redir.c). */
export function coovaChilliAccessRequest(h: Handoff, back: HandBack, uamSecret?: string): NasAccessRequest {
  if (back.kind !== 'redirect') throw new Error('CoovaChilli hands back with a redirect');
  const q = new URL(back.url).searchParams;
  const userName = q.get('username') ?? '';
  const challenge = coovaChallenge(Buffer.from(h.challenge ?? '', 'hex'), uamSecret || undefined);
  const response = q.get('response');
  if (response) {
    return {
      ...common(h),
      userName,
      method: 'chap',
      chapChallenge: challenge,
      chapPassword: Buffer.concat([Buffer.from([0]), Buffer.from(response, 'hex')]),
    };
  }
  const enc = Buffer.from(q.get('password') ?? '', 'hex');
  const clear = Buffer.alloc(enc.length);
  for (let i = 0; i < enc.length; i++) clear[i] = enc[i] ^ challenge[i % 16];
  const nul = clear.indexOf(0);
  return {
    ...common(h),
    userName,
    method: 'pap',
    userPassword: clear.subarray(0, nul < 0 ? clear.length : nul).toString('utf8'),
  };
}

/** MikroTik: a 32-hex password with chap-id/chap-challenge on the page is a CHAP response. */
export function mikrotikAccessRequest(h: Handoff, back: HandBack): NasAccessRequest {
  if (back.kind !== 'form') throw new Error('MikroTik hands back with a form');
  const { username = '', password = '' } = back.fields;
  const id = h.extra['chap-id'];
  if (id !== undefined && h.challenge && /^[0-9a-f]{32}$/.test(password)) {
    return {
      ...common(h),
      userName: username,
      method: 'chap',
      chapChallenge: Buffer.from(h.challenge, 'hex'),
      chapPassword: Buffer.concat([Buffer.from(id, 'hex'), Buffer.from(password, 'hex')]),
    };
  }
  return { ...common(h), userName: username, method: 'pap', userPassword: password };
}

/** Which form fields carry the credentials, per vendor whose login form the guest posts. */
const FORM_FIELDS: Record<string, [string, string]> = {
  meraki: ['username', 'password'],
  cisco: ['username', 'password'],
  aruba: ['user', 'password'],
  ruckus: ['username', 'password'],
  pfsense: ['auth_user', 'auth_pass'],
  opnsense: ['user', 'password'],
};

/** Controllers that take the login form and send PAP (their default) with the same values. */
export function formAccessRequest(h: Handoff, back: HandBack): NasAccessRequest {
  if (back.kind !== 'form') throw new Error(`${h.vendor} hands back with a form`);
  const [u, p] = FORM_FIELDS[h.vendor] ?? ['username', 'password'];
  return { ...common(h), userName: back.fields[u] ?? '', method: 'pap', userPassword: back.fields[p] ?? '' };
}

/** The generic redirect carries the credentials in its query. */
export function genericAccessRequest(h: Handoff, back: HandBack): NasAccessRequest {
  if (back.kind !== 'redirect') throw new Error('the generic adapter hands back with a redirect');
  const q = new URL(back.url).searchParams;
  return { ...common(h), userName: q.get('username') ?? '', method: 'pap', userPassword: q.get('password') ?? '' };
}

/**
 * The Access-Request for any hand-back that leads to one, or undefined where the vendor is
 * told through its API or no RADIUS is involved (UniFi, openNDS, Meraki click-through,
 * Ruckus NBI, OPNsense API, generic without a login URL).
 */
export function accessRequestFor(h: Handoff, back: HandBack, ctx: AdapterContext = {}): NasAccessRequest | undefined {
  if (back.kind === 'done') return undefined;
  switch (h.vendor) {
    case 'coovachilli':
      return coovaChilliAccessRequest(h, back, ctx.uamSecret);
    case 'mikrotik':
      return mikrotikAccessRequest(h, back);
    case 'generic':
      return genericAccessRequest(h, back);
    case 'opennds':
      return undefined;
    case 'meraki':
      return h.extra.mode === 'click-through' ? undefined : formAccessRequest(h, back);
    default:
      return back.kind === 'form' ? formAccessRequest(h, back) : undefined;
  }
}
