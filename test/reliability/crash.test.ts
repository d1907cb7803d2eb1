// Issue 8: Foyer under 200 concurrent sign-ups through the real HTTP flow and the real
// RADIUS port, killed with SIGKILL at random moments and restarted, must keep every
// promise: each guest shown the hand-back has a grant and its ledger events, no grant
// lacks its events, no Access-Accept names a grant that is not stored, the ledger
// verifies, and a guest whose flow was cut simply starts again.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dgram from 'node:dgram';
import { radiusPackage } from '../../radius/codec.ts';
import { openDb } from '../../portal/store/open.ts';
import { migrate } from '../../portal/store/migrate.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { fieldCipher } from '../../portal/crypto/fields.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { ledgerMigrationSteps } from '../../portal/consent/head.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { freshPostgresUrl } from '../support/context.ts';
import { eachBackend } from '../support/backends.ts';
import { Browser, formFields } from '../guest/helpers.ts';
import { handBackCredentials } from '../support/hand-back.ts';

const GUESTS = Number(process.env.CRASH_GUESTS ?? 200);
const KILLS = Number(process.env.CRASH_KILLS ?? 4);
const SECRET_KEY = 'crash-test-secret-key-0123456789abcdef';
const NAS_SECRET = 'crash-nas-secret';
// The NAS's own address (the only login host Foyer hands credentials to for it); never called.
const LOGIN_URL = 'http://127.0.0.1:9/login';

interface Guest {
  n: number;
  phone: string;
  mac: string;
  cuts: number;
  shown?: { username: string; password: string };
  accepted?: string;
}

class Cut extends Error {}

/** The newest code sent to the number; a wrong (older) one is simply refused and tried again. */
function readCode(outbox: string, phone: string): string | undefined {
  if (!existsSync(outbox)) return undefined;
  const lines = readFileSync(outbox, 'utf8').split('\n').filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    let m: { to: string; text: string; at: string };
    try {
      m = JSON.parse(lines[i]);
    } catch {
      continue; // a line cut by the kill
    }
    if (m.to === phone) {
      const code = /\b(\d{6})\b/.exec(m.text);
      if (code) return code[1];
    }
  }
  return undefined;
}

function accessRequest(username: string, password: string, mac: string): Buffer {
  return radiusPackage.encode({
    code: 'Access-Request', identifier: Math.floor(Math.random() * 256), secret: NAS_SECRET, add_message_authenticator: true,
    attributes: [['User-Name', username], ['User-Password', password], ['Calling-Station-Id', mac.toUpperCase().replace(/:/g, '-')], ['NAS-Identifier', 'ap-crash']],
  });
}

async function radiusLogin(p: FoyerProcess, username: string, password: string, mac: string): Promise<boolean> {
  const packet = accessRequest(username, password, mac);
  // Like a NAS: retransmit every second, up to 20 s (the server may be restarting).
  const sock = dgram.createSocket('udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => sock.send(packet, p.authPort, '127.0.0.1'), 1000);
      const give = setTimeout(() => (clearInterval(timer), resolve(false)), 20_000);
      sock.on('message', (msg) => {
        if (msg[1] !== packet[1]) return;
        clearInterval(timer);
        clearTimeout(give);
        resolve(msg[0] === 2);
      });
      sock.send(packet, p.authPort, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

/**
 * One guest as a browser would go: follow redirects, fill the form the page shows, read
 * the code from the SMS outbox (press "resend" when none came), and stop at the hand-back.
 */
async function signUp(p: FoyerProcess, g: Guest, outbox: string): Promise<void> {
  const b = new Browser(p.url);
  const has = (html: string, action: string) => new RegExp(`<form[^>]+action="[^"]*${action}"`).test(html);
  try {
    let res = await b.get(`/p/crash?mac=${g.mac}&ip=10.9.${g.n >> 8}.${g.n & 255}&nasid=ap-crash&login_url=${encodeURIComponent(LOGIN_URL)}&url=${encodeURIComponent('http://example.com/')}`);
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
        throw new Cut(`status ${res.status}`);
      } else if (has(res.html, '/start')) {
        res = await b.post('/p/crash/start', { ...formFields(res.html, '/start'), phone: g.phone, consent_terms: 'yes', ...(g.n % 2 ? { consent_sms: 'yes' } : {}) });
      } else if (has(res.html, '/code')) {
        let code: string | undefined;
        for (let i = 0; i < 40 && !code; i++) {
          code = readCode(outbox, g.phone);
          if (!code) await new Promise((r) => setTimeout(r, 50));
        }
        if (code) res = await b.post('/p/crash/code', { ...formFields(res.html, '/code'), code });
        else if (!resent) (resent = true), (res = await b.post('/p/crash/resend', formFields(res.html, '/resend')));
        else throw new Cut('no code arrived, even after a resend');
      } else {
        throw new Cut(`stuck on a page with nothing to do (${/<h1[^>]*>([^<]*)/.exec(res.html)?.[1] ?? res.status})`);
      }
    }
    throw new Cut('too many steps');
  } catch (err) {
    if (err instanceof Cut) throw err;
    if ((err as Error).name === 'TypeError') throw new Cut(`connection: ${(err as Error).message}`); // refused or reset by the kill
    throw err;
  }
}

eachBackend('crash safety under SIGKILL', (backend) => {
  let dir: string;
  let p: FoyerProcess;
  let dbUrl: string;
  let dropPg: (() => Promise<void>) | undefined;
  after(async () => {
    await p?.kill('SIGKILL');
    await dropPg?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${GUESTS} guests, ${KILLS} kills: every promise kept`, async function () {
    this.timeout(600_000);
    dir = mkdtempSync(join(tmpdir(), 'foyer-crash-'));
    if (backend === 'postgres') {
      const pg = await freshPostgresUrl();
      dbUrl = pg.url;
      dropPg = pg.drop;
    } else dbUrl = join(dir, 'foyer.db');
    const outbox = join(dir, 'outbox.jsonl');

    // The venue and its NAS, with limits that let one test machine sign up 200 guests.
    const keys = deriveKeys(SECRET_KEY);
    const setupDb = await openDb(dbUrl);
    await migrate(setupDb, ledgerMigrationSteps(keys));
    const venue = await createVenue(setupDb, {
      slug: 'crash', name: 'Crash Café', country: 'BG',
      settings: venueSettingsSchema.parse({ limits: { perNumber10Min: 100, perNumberDay: 1000, perMacHour: 1000, perIpHour: 10000, perNasHour: 1000000, perCountryHour: 1000000, venueDaily: 10000000 } }),
    });
    await addNas(setupDb, fieldCipher(keys), { name: 'crash-nas', address: '127.0.0.1', secret: NAS_SECRET, vendor: 'generic', venueId: venue.id });
    await setupDb.close();

    p = await foyerProcess({ DATABASE_URL: dbUrl, DATA_DIR: dir, SECRET_KEY, SMS_OUTBOX: outbox });
    await p.start();

    const guests: Guest[] = Array.from({ length: GUESTS }, (_, n) => ({
      n, phone: `+3598870${String(n).padStart(5, '0')}`, mac: `02:00:00:00:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`, cuts: 0,
    }));

    const run = async (g: Guest) => {
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        try {
          if (!g.shown) await signUp(p, g, outbox);
          if (await radiusLogin(p, g.shown!.username, g.shown!.password, g.mac)) {
            g.accepted = g.shown!.username;
            return;
          }
          throw new Cut('Access-Request not accepted');
        } catch (err) {
          if (!(err instanceof Cut)) throw err;
          if (process.env.CRASH_DEBUG) console.error(`guest ${g.n}: ${(err as Error).message}`);
          g.cuts++;
          await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
        }
      }
    };

    // Each kill lands while guests are still signing up: after a random share of them
    // reached the hand-back. (A fixed delay can fall after the last page on a fast machine,
    // and a count of guests online can lag behind, leaving only RADIUS retransmissions,
    // which ride out a restart, in flight.)
    const killer = (async () => {
      for (let k = 0; k < KILLS; k++) {
        const due = Math.floor(((k + Math.random()) / (KILLS + 1)) * GUESTS);
        while (guests.filter((g) => g.shown).length < due) await new Promise((r) => setTimeout(r, 20));
        await p.kill('SIGKILL');
        if (process.env.CRASH_DEBUG) console.error(`kill ${k + 1}`);
        await new Promise((r) => setTimeout(r, 200));
        const t0 = Date.now();
        await p.start();
        if (process.env.CRASH_DEBUG) console.error(`restart ${k + 1} took ${Date.now() - t0} ms`);
      }
    })();
    await Promise.all([...guests.map(run), killer]);

    // Everyone got through in the end, and some of them only by starting again.
    assert.deepEqual(guests.filter((g) => !g.accepted).map((g) => g.n), [], 'every guest got online');
    assert.ok(guests.some((g) => g.cuts > 0), 'the kills cut some flows');

    const db = await openDb(dbUrl);
    try {
      const grants = new Map((await db.all<{ username: string; subject_id: string }>('SELECT username, subject_id FROM grants')).map((r) => [r.username, r.subject_id]));
      for (const g of guests) {
        assert.ok(grants.has(g.shown!.username), `guest ${g.n} was shown the hand-back, so its grant is stored`);
        assert.ok(grants.has(g.accepted!), `the Access-Accept for guest ${g.n} names a stored grant`);
        const events = await db.all<{ purpose: string }>('SELECT purpose FROM consent_events WHERE subject_id = ?', [grants.get(g.shown!.username)!]);
        assert.ok(events.some((e) => e.purpose === 'terms'), `guest ${g.n}'s grant rests on ledger events`);
      }
      const orphans = await db.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM grants g WHERE NOT EXISTS
           (SELECT 1 FROM consent_events e WHERE e.subject_id = g.subject_id AND e.venue_id = g.venue_id AND e.purpose = 'terms' AND e.decision = 'granted')`,
      );
      assert.equal(Number(orphans!.n), 0, 'no grant without its ledger events');
      const v = await verifyLedger(db, keys);
      assert.equal(v.ok, true, JSON.stringify(v));
      console.log(`      ${backend}: ${GUESTS} guests, ${KILLS} kills, ${guests.filter((g) => g.cuts > 0).length} guests cut and started again (${guests.reduce((s, g) => s + g.cuts, 0)} failed tries), ${v.count} ledger events, ${grants.size} grants`);
    } finally {
      await db.close();
    }
  });
});
