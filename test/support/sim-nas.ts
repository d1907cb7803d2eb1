// A NAS you can run: behaves like CoovaChilli or a MikroTik hotspot towards a browser
// (redirects an unauthenticated client to the portal with the vendor's parameters, serves
// the vendor's login URL) and towards Foyer's RADIUS (Access-Request over UDP with a
// leading Message-Authenticator, then Accounting-Request Start), and then lets the browser
// through to the page it first asked for. The same listener plays "the internet": once a
// client is through, any other path answers with a "you are through" page.
// Decoding of the hand-back is written here from the vendors' own rules (chilli's redir.c,
// RouterOS's hotspot), independently of portal/access-points/nas-request.ts.
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  encryptUserPassword,
  signAccessRequest,
  signAccountingRequest,
  verifyResponse,
} from '../../radius/authenticators.ts';
import {
  CODE,
  decodeAttributes,
  ipv4Bytes,
  parsePacket,
  writePacket,
  type NamedAttribute,
} from '../../radius/codec.ts';

export interface RadiusTarget {
  host: string;
  authPort: number;
  acctPort: number;
  secret: string;
  /** Loopback address to send from (127.0.0.2 …), so several simulated NAS are told apart by source. */
  source?: string;
}

export interface RadiusAnswer {
  code: number;
  attributes: Record<string, unknown>;
}

/** The Access-Request fields a NAS fills in from a login. */
export interface NasLogin {
  userName: string;
  userPassword?: string;
  chapPassword?: Buffer;
  chapChallenge?: Buffer;
  callingStationId?: string;
  calledStationId?: string;
  nasIdentifier?: string;
  framedIpAddress?: string;
}

async function send(
  packet: Buffer,
  t: RadiusTarget,
  port: number,
  matches: (b: Buffer) => boolean,
  timeoutMs = 3000,
): Promise<Buffer> {
  const socket = dgram.createSocket('udp4');
  const host = t.host;
  if (t.source) await new Promise<void>((r) => socket.bind(0, t.source, () => r()));
  return new Promise((resolve, reject) => {
    // Like a NAS: retransmit the same packet until answered.
    const retry = setInterval(() => socket.send(packet, port, host), 500);
    const timer = setTimeout(
      () => finish(new Error(`no RADIUS answer from ${host}:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const finish = (err?: Error, b?: Buffer) => {
      clearInterval(retry);
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(b!);
    };
    socket.on('message', (m) => matches(m) && finish(undefined, m));
    socket.on('error', (e) => finish(e));
    socket.send(packet, port, host);
  });
}

let nextId = 0;

/** Access-Request with Message-Authenticator first (as RFC 3579 and BlastRADIUS advise). */
export async function radiusLogin(t: RadiusTarget, l: NasLogin): Promise<RadiusAnswer> {
  const secret = Buffer.from(t.secret);
  const id = nextId++ & 0xff;
  const authenticator = randomBytes(16);
  const attrs: NamedAttribute[] = [{ name: 'User-Name', value: l.userName }];
  if (l.userPassword !== undefined)
    attrs.push({ name: 'User-Password', value: encryptUserPassword(l.userPassword, authenticator, secret) });
  if (l.chapPassword) attrs.push({ name: 'CHAP-Password', value: l.chapPassword });
  if (l.chapChallenge) attrs.push({ name: 'CHAP-Challenge', value: l.chapChallenge });
  attrs.push({ name: 'NAS-Port-Type', value: 19 }); // Wireless-802.11
  if (l.callingStationId) attrs.push({ name: 'Calling-Station-Id', value: l.callingStationId });
  if (l.calledStationId) attrs.push({ name: 'Called-Station-Id', value: l.calledStationId });
  if (l.nasIdentifier) attrs.push({ name: 'NAS-Identifier', value: l.nasIdentifier });
  if (l.framedIpAddress) attrs.push({ name: 'Framed-IP-Address', value: ipv4Bytes(l.framedIpAddress) });
  const packet = signAccessRequest(writePacket(CODE.AccessRequest, id, authenticator, attrs, true), 22, secret);
  const reply = await send(packet, t, t.authPort, (b) => b[1] === id);
  const p = parsePacket(reply);
  if ('malformed' in p) throw new Error(`malformed reply: ${p.malformed}`);
  if (!verifyResponse(p, authenticator, secret, true))
    throw new Error('the reply does not verify with the shared secret');
  return { code: p.code, attributes: decodeAttributes(p) ?? {} };
}

/** Accounting-Request (Start, Interim-Update, Stop). */
export async function radiusAccounting(
  t: RadiusTarget,
  a: {
    status: 'Start' | 'Stop';
    sessionId: string;
    userName: string;
    framedIpAddress?: string;
    callingStationId?: string;
    nasIdentifier?: string;
    class?: Buffer;
  },
): Promise<number> {
  const secret = Buffer.from(t.secret);
  const id = nextId++ & 0xff;
  const attrs: NamedAttribute[] = [
    { name: 'Acct-Status-Type', value: a.status === 'Start' ? 1 : 2 },
    { name: 'Acct-Session-Id', value: a.sessionId },
    { name: 'User-Name', value: a.userName },
    { name: 'NAS-Port-Type', value: 19 },
  ];
  if (a.framedIpAddress) attrs.push({ name: 'Framed-IP-Address', value: ipv4Bytes(a.framedIpAddress) });
  if (a.callingStationId) attrs.push({ name: 'Calling-Station-Id', value: a.callingStationId });
  if (a.nasIdentifier) attrs.push({ name: 'NAS-Identifier', value: a.nasIdentifier });
  if (a.class) attrs.push({ name: 'Class', value: a.class });
  const packet = signAccountingRequest(
    writePacket(CODE.AccountingRequest, id, Buffer.alloc(16), attrs, true),
    22,
    secret,
  );
  const reply = await send(packet, t, t.acctPort, (b) => b[1] === id);
  return reply[0];
}

export type SimVendor = 'coovachilli' | 'mikrotik';

export interface SimNasOptions {
  vendor: SimVendor;
  /** The venue's portal, e.g. http://127.0.0.1:PORT/p/cafe. */
  portalUrl: string;
  radius: RadiusTarget;
  nasId: string;
  /** CoovaChilli uamsecret (must match the NAS's --uam-secret in Foyer). */
  uamSecret?: string;
  /** MikroTik: login-by=http-pap sends no chap-id/chap-challenge. */
  pap?: boolean;
  /**
   * CoovaChilli: like chilli's `nouamsuccess`, send the browser straight to the page first
   * asked for after a login. Unset (chilli's default), it comes back to the portal with
   * res=success, the way the guides configure it.
   */
  noUamSuccess?: boolean;
}

export interface SimClient {
  mac: string;
  ip: string;
}

export interface SimLogin {
  client: SimClient;
  method: 'pap' | 'chap';
  answer: RadiusAnswer;
  accountingSessionId?: string;
}

export interface SimNas {
  url: string;
  /** host:port, what Foyer must allow as the NAS's login host. */
  host: string;
  logins: SimLogin[];
  /** The device behind the browser: a captive NAS knows it from ARP/DHCP. */
  client: SimClient;
  authorised: Set<string>;
  /** The challenge the current client was last given expires (chilli: after five minutes). */
  expireChallenge(): void;
  close(): Promise<void>;
}

const AP_MAC = '00-0D-B9-5A-11-22';

function stationId(mac: string) {
  return mac.toUpperCase().replace(/:/g, '-');
}

function octal(b: Buffer): string {
  return [...b].map((x) => `\\${x.toString(8).padStart(3, '0')}`).join('');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

function page(res: ServerResponse, status: number, title: string, text: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><title>${title}</title><h1>${title}</h1><p>${text}</p></html>`);
}

export async function startSimNas(o: SimNasOptions): Promise<SimNas> {
  // Per client: the challenge (and MikroTik chap-id) of the redirect it was last given.
  const pending = new Map<string, { challenge: Buffer; chapId: number; orig: string }>();
  const logins: SimLogin[] = [];
  const authorised = new Set<string>();
  let base = '';
  const expired = new Set<string>();
  const sim: SimNas = {
    url: '',
    host: '',
    logins,
    client: { mac: 'aa:bb:cc:00:00:01', ip: '10.1.0.10' },
    authorised,
    close: async () => undefined,
    expireChallenge: () => expired.add(sim.client.mac),
  };

  /** chilli's redir_buildurl for the returns that carry no challenge (success, already). */
  function chilliReturn(
    res: ServerResponse,
    resp: 'success' | 'already',
    orig: string,
    extra: Record<string, string> = {},
  ) {
    const c = sim.client;
    const q = new URLSearchParams({
      res: resp,
      uamip: '127.0.0.1',
      uamport: base.split(':').pop()!,
      ...extra,
      mac: stationId(c.mac),
      ip: c.ip,
      ssid: 'Foyer Guest',
      called: AP_MAC,
      nasid: o.nasId,
      userurl: orig,
    });
    res.writeHead(302, { location: `${o.portalUrl}?${q}`, 'cache-control': 'no-store' });
    res.end();
  }

  function redirectToPortal(res: ServerResponse, orig: string, extra: Record<string, string> = {}) {
    const c = sim.client;
    const challenge = randomBytes(16);
    const chapId = randomBytes(1)[0];
    pending.set(c.mac, { challenge, chapId, orig });
    const q =
      o.vendor === 'coovachilli'
        ? new URLSearchParams({
            res: 'notyet',
            uamip: '127.0.0.1',
            uamport: base.split(':').pop()!,
            challenge: challenge.toString('hex'),
            called: AP_MAC,
            mac: stationId(c.mac),
            ip: c.ip,
            nasid: o.nasId,
            sessionid: randomBytes(8).toString('hex'),
            ssid: 'Foyer Guest',
            userurl: orig,
            ...extra,
          })
        : new URLSearchParams({
            mac: c.mac.toUpperCase(),
            ip: c.ip,
            username: '',
            'link-login-only': `${base}/login`,
            'link-orig': orig,
            identity: o.nasId,
            'server-name': 'hotspot1',
            'interface-name': 'wlan1',
            ...(o.pap ? {} : { 'chap-id': octal(Buffer.from([chapId])), 'chap-challenge': octal(challenge) }),
            ...extra,
          });
    res.writeHead(302, { location: `${o.portalUrl}?${q}`, 'cache-control': 'no-store' });
    res.end();
  }

  /** What chilli (redir.c) or RouterOS puts into the Access-Request from the login. */
  function loginFromHandBack(
    fields: URLSearchParams,
    state: { challenge: Buffer; chapId: number },
  ): { login: NasLogin; method: 'pap' | 'chap' } {
    const c = sim.client;
    const base: NasLogin = {
      userName: fields.get('username') ?? '',
      callingStationId: stationId(c.mac),
      nasIdentifier: o.nasId,
      framedIpAddress: c.ip,
    };
    if (o.vendor === 'coovachilli') {
      const key = o.uamSecret
        ? createHash('md5').update(state.challenge).update(o.uamSecret).digest()
        : state.challenge;
      const response = fields.get('response');
      if (response)
        return {
          method: 'chap',
          login: {
            ...base,
            calledStationId: AP_MAC,
            chapChallenge: key,
            chapPassword: Buffer.concat([Buffer.from([0]), Buffer.from(response, 'hex')]),
          },
        };
      const enc = Buffer.from(fields.get('password') ?? '', 'hex');
      const clear = Buffer.from(enc.map((b, i) => b ^ key[i % 16]));
      const nul = clear.indexOf(0);
      return {
        method: 'pap',
        login: {
          ...base,
          calledStationId: AP_MAC,
          userPassword: clear.subarray(0, nul < 0 ? clear.length : nul).toString('utf8'),
        },
      };
    }
    const password = fields.get('password') ?? '';
    if (!o.pap && /^[0-9a-f]{32}$/.test(password)) {
      return {
        method: 'chap',
        login: {
          ...base,
          chapChallenge: state.challenge,
          chapPassword: Buffer.concat([Buffer.from([state.chapId]), Buffer.from(password, 'hex')]),
        },
      };
    }
    return { method: 'pap', login: { ...base, userPassword: password } };
  }

  async function logon(fields: URLSearchParams, res: ServerResponse) {
    const c = sim.client;
    const state = pending.get(c.mac);
    if (!state) return page(res, 400, 'No login in progress', 'Open any web page first.');
    if (o.vendor === 'coovachilli' && authorised.has(c.mac)) return chilliReturn(res, 'already', state.orig);
    if (expired.delete(c.mac)) {
      // redir.c: "challenge expired": a new challenge and res=failed, no RADIUS at all.
      return redirectToPortal(res, fields.get('userurl') || state.orig, { res: 'failed' });
    }
    const { login, method } = loginFromHandBack(fields, state);
    const answer = await radiusLogin(o.radius, login);
    const record: SimLogin = { client: { ...c }, method, answer };
    logins.push(record);
    const orig = fields.get(o.vendor === 'coovachilli' ? 'userurl' : 'dst') || state.orig;
    if (answer.code !== CODE.AccessAccept) {
      const reply = String(answer.attributes['Reply-Message'] ?? 'rejected');
      return o.vendor === 'coovachilli'
        ? redirectToPortal(res, orig, { res: 'failed', reply })
        : redirectToPortal(res, orig, { error: reply });
    }
    record.accountingSessionId = randomBytes(8).toString('hex');
    const cls = answer.attributes.Class;
    const acct = await radiusAccounting(o.radius, {
      status: 'Start',
      sessionId: record.accountingSessionId,
      userName: login.userName,
      framedIpAddress: c.ip,
      callingStationId: stationId(c.mac),
      nasIdentifier: o.nasId,
      class: cls === undefined ? undefined : Buffer.isBuffer(cls) ? cls : Buffer.from(String(cls)),
    });
    if (acct !== CODE.AccountingResponse) throw new Error(`accounting answered with code ${acct}`);
    authorised.add(c.mac);
    if (o.vendor === 'coovachilli' && !o.noUamSuccess)
      return chilliReturn(res, 'success', orig, {
        uid: login.userName,
        timeleft: String(answer.attributes['Session-Timeout'] ?? ''),
      });
    pending.delete(c.mac);
    res.writeHead(302, { location: orig, 'cache-control': 'no-store' });
    res.end();
  }

  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', base);
    const loginPath = o.vendor === 'coovachilli' ? '/logon' : '/login';
    (async () => {
      if (u.pathname === loginPath) {
        const fields = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : u.searchParams;
        return logon(fields, res);
      }
      if (o.vendor === 'coovachilli' && u.pathname === '/logoff') {
        // redir.c REDIR_LOGOUT: the client is logged off and sent back with a new challenge.
        authorised.delete(sim.client.mac);
        return redirectToPortal(res, pending.get(sim.client.mac)?.orig ?? `${base}/`, { res: 'logoff' });
      }
      if (authorised.has(sim.client.mac))
        return page(res, 200, 'You are through', `Connected to the Internet: ${u.pathname}`);
      return redirectToPortal(res, `${base}${u.pathname}${u.search}`);
    })().catch((err: Error) => page(res, 500, 'NAS error', err.message.replace(/</g, '&lt;')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  sim.url = base;
  sim.host = `127.0.0.1:${port}`;
  sim.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return sim;
}
