// One guest signing up the way a browser does, against a Foyer process of its own
// (foyer-process.ts), and its device logging in over real UDP RADIUS like a NAS:
// shared by the crash and outage tests, which cut the process or its database under it.
import { existsSync, readFileSync } from 'node:fs';
import dgram from 'node:dgram';
import { radiusPackage } from '../../radius/codec.ts';
import { openDb } from '../../portal/store/open.ts';
import { migrate } from '../../portal/store/migrate.ts';
import { ledgerMigrationSteps } from '../../portal/consent/head.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { fieldCipher } from '../../portal/crypto/fields.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { Browser, formFields } from '../guest/helpers.ts';
import { handBackCredentials } from './hand-back.ts';

// The NAS's own address (the only login host Foyer hands credentials to for it); never called.
export const LOGIN_URL = 'http://127.0.0.1:9/login';

export interface Guest {
  n: number;
  phone: string;
  mac: string;
  cuts: number;
  shown?: { username: string; password: string };
  accepted?: string;
}

/** A flow cut short by the fault under test: the guest starts again. */
export class Cut extends Error {}

export const makeGuests = (count: number, prefix = '+3598870'): Guest[] =>
  Array.from({ length: count }, (_, n) => ({
    n,
    phone: `${prefix}${String(n).padStart(5, '0')}`,
    mac: `02:00:00:00:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`,
    cuts: 0,
  }));

/** A migrated database with a venue whose limits let one test machine sign up hundreds of guests, and its NAS on 127.0.0.1. */
export async function prepareVenue(
  dbUrl: string,
  o: { slug: string; secretKey: string; nasSecret: string },
): Promise<void> {
  const setupDb = await openDb(dbUrl);
  try {
    await migrate(setupDb, ledgerMigrationSteps(deriveKeys(o.secretKey)));
    const venue = await createVenue(setupDb, {
      slug: o.slug,
      name: 'Test Café',
      country: 'BG',
      settings: venueSettingsSchema.parse({
        limits: {
          perNumber10Min: 100,
          perNumberDay: 1000,
          perMacHour: 1000,
          perIpHour: 10000,
          perNasHour: 1000000,
          perCountryHour: 1000000,
          venueDaily: 10000000,
        },
      }),
    });
    await addNas(setupDb, fieldCipher(deriveKeys(o.secretKey)), {
      name: `${o.slug}-nas`,
      address: '127.0.0.1',
      secret: o.nasSecret,
      vendor: 'generic',
      venueId: venue.id,
    });
  } finally {
    await setupDb.close();
  }
}

/** The newest code sent to the number; a wrong (older) one is simply refused and tried again. */
function readCode(outbox: string, phone: string): string | undefined {
  if (!existsSync(outbox)) return undefined;
  const lines = readFileSync(outbox, 'utf8').split('\n').filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    let m: { to: string; text: string; at: string };
    try {
      m = JSON.parse(lines[i]);
    } catch {
      continue; // a line cut by a kill
    }
    if (m.to === phone) {
      const code = /\b(\d{6})\b/.exec(m.text);
      if (code) return code[1];
    }
  }
  return undefined;
}

export function accessRequest(nasSecret: string, username: string, password: string, mac: string): Buffer {
  return radiusPackage.encode({
    code: 'Access-Request',
    identifier: Math.floor(Math.random() * 256),
    secret: nasSecret,
    add_message_authenticator: true,
    attributes: [
      ['User-Name', username],
      ['User-Password', password],
      ['Calling-Station-Id', mac.toUpperCase().replace(/:/g, '-')],
      ['NAS-Identifier', 'ap-test'],
    ],
  });
}

/** Like a NAS: retransmit every second up to `giveUpMs` (the server may be restarting). Resolves the answer's code, or undefined. */
export async function radiusAsk(port: number, packet: Buffer, giveUpMs = 20_000): Promise<number | undefined> {
  const sock = dgram.createSocket('udp4');
  try {
    return await new Promise<number | undefined>((resolve) => {
      const timer = setInterval(() => sock.send(packet, port, '127.0.0.1'), 1000);
      const give = setTimeout(() => (clearInterval(timer), resolve(undefined)), giveUpMs);
      sock.on('message', (msg) => {
        if (msg[1] !== packet[1]) return;
        clearInterval(timer);
        clearTimeout(give);
        resolve(msg[0]);
      });
      sock.send(packet, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

/** Milliseconds from `from` until `ask` gets `code` back (2 accept, 3 reject), asking every 50 ms, for at most 10 s. */
export async function untilAnswered(
  ask: () => Promise<number | undefined>,
  code: number,
  from: number,
): Promise<number> {
  for (;;) {
    if ((await ask()) === code) return Date.now() - from;
    if (Date.now() - from > 10_000) throw new Error(`no answer ${code} after 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function radiusLogin(
  authPort: number,
  nasSecret: string,
  username: string,
  password: string,
  mac: string,
  giveUpMs = 20_000,
): Promise<boolean> {
  return (await radiusAsk(authPort, accessRequest(nasSecret, username, password, mac), giveUpMs)) === 2;
}

/**
 * One guest as a browser would go: follow redirects, fill the form the page shows, read
 * the code from the SMS outbox (press "resend" when none came), and stop at the hand-back.
 * `seen` collects the status (and Retry-After) of every answer that cut the flow.
 */
export async function signUp(
  url: string,
  slug: string,
  g: Guest,
  outbox: string,
  seen?: (status: number, retryAfter: string | null) => void,
): Promise<void> {
  const b = new Browser(url);
  const has = (html: string, action: string) => new RegExp(`<form[^>]+action="[^"]*${action}"`).test(html);
  try {
    let res = await b.get(
      `/p/${slug}?mac=${g.mac}&ip=10.9.${g.n >> 8}.${g.n & 255}&nasid=ap-test&login_url=${encodeURIComponent(LOGIN_URL)}&url=${encodeURIComponent('http://example.com/')}`,
    );
    let resent = false;
    for (let step = 0; step < 12; step++) {
      const creds = handBackCredentials(res, LOGIN_URL);
      if (creds) {
        g.shown = creds;
        return;
      }
      if (res.status === 303 || res.status === 302) {
        res = await b.get(res.location!);
      } else if (res.status >= 400) {
        seen?.(res.status, res.headers.get('retry-after'));
        throw new Cut(`status ${res.status}`);
      } else if (has(res.html, '/start')) {
        res = await b.post(`/p/${slug}/start`, {
          ...formFields(res.html, '/start'),
          phone: g.phone,
          consent_terms: 'yes',
          ...(g.n % 2 ? { consent_sms: 'yes' } : {}),
        });
      } else if (has(res.html, '/code')) {
        let code: string | undefined;
        for (let i = 0; i < 40 && !code; i++) {
          code = readCode(outbox, g.phone);
          if (!code) await new Promise((r) => setTimeout(r, 50));
        }
        if (code) res = await b.post(`/p/${slug}/code`, { ...formFields(res.html, '/code'), code });
        else if (!resent) ((resent = true), (res = await b.post(`/p/${slug}/resend`, formFields(res.html, '/resend'))));
        else throw new Cut('no code arrived, even after a resend');
      } else {
        throw new Cut(`stuck on a page with nothing to do (${/<h1[^>]*>([^<]*)/.exec(res.html)?.[1] ?? res.status})`);
      }
    }
    throw new Cut('too many steps');
  } catch (err) {
    if (err instanceof Cut) throw err;
    if ((err as Error).name === 'TypeError') throw new Cut(`connection: ${(err as Error).message}`); // refused or reset
    throw err;
  }
}
