// Issue 15: a revocation or a block made through one Foyer process (its console) or the
// CLI (a process of its own) reaches another process's RADIUS within the promised second:
// that process had the grant in its cache and learns of the change only through the
// database's grant change feed. Two `npm start` processes on one PostgreSQL, real UDP.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs, requirements } from '../support/env.ts';
import { freshPostgresUrl } from '../support/context.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { foyer } from '../support/cli.ts';
import { radiusAsk, untilAnswered } from '../support/guest-signup.ts';
import { nasResponder, type NasResponder } from './nas-responder.ts';
import { AdminClient } from '../admin/client.ts';
import { radiusPackage } from '../../radius/codec.ts';
import { openDb } from '../../portal/store/open.ts';
import { migrate } from '../../portal/store/migrate.ts';
import { ledgerMigrationSteps } from '../../portal/consent/head.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { fieldCipher } from '../../portal/crypto/fields.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { addAdmin } from '../../portal/accounts/accounts.ts';
import { createGrant } from '../../portal/access/grants.ts';
import { upsertSubject } from '../../portal/consent/subjects.ts';
import type { Db } from '../../portal/store/db.ts';

const SECRET_KEY = 'across-processes-secret-key-0123456789ab';
const NAS_SECRET = 'across-nas-secret';

interface Device {
  mac: string;
  username: string;
  password: string;
  sessionId: string;
}

const ask = (p: FoyerProcess, user: string, password: string, mac: string) =>
  radiusAsk(
    p.authPort,
    radiusPackage.encode({
      code: 'Access-Request',
      identifier: Math.floor(Math.random() * 256),
      secret: NAS_SECRET,
      add_message_authenticator: true,
      attributes: [
        ['User-Name', user],
        ['User-Password', password],
        ['Calling-Station-Id', mac],
      ],
    }),
    1000,
  );

/** Milliseconds until `p` rejects (3) the request. */
const untilRejected = (p: FoyerProcess, user: string, password: string, mac: string, from: number) =>
  untilAnswered(() => ask(p, user, password, mac), 3, from);

describe("ending access through one process reaches another process's RADIUS [postgres]", function () {
  this.timeout(180_000);
  before(function () {
    needs(this, requirements.postgres);
  });
  let dir: string;
  let drop: (() => Promise<void>) | undefined;
  let env: Record<string, string>;
  let p1: FoyerProcess;
  let p2: FoyerProcess;
  let nas: NasResponder;
  const devices: Device[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'foyer-across-'));
    const pg = await freshPostgresUrl();
    drop = pg.drop;
    env = { DATABASE_URL: pg.url, DATA_DIR: dir, SECRET_KEY };
    nas = await nasResponder({ secret: NAS_SECRET, answer: 'ack' });
    const db: Db = await openDb(pg.url);
    try {
      await migrate(db, ledgerMigrationSteps(deriveKeys(SECRET_KEY)));
      const cipher = fieldCipher(deriveKeys(SECRET_KEY));
      const venue = await createVenue(db, { slug: 'cafe', name: 'Cafe', country: 'BG' });
      const ap = await addNas(db, cipher, {
        name: 'ap',
        address: '127.0.0.1',
        secret: NAS_SECRET,
        vendor: 'generic',
        venueId: venue.id,
        coaPort: nas.port,
      });
      await addAdmin(db, { email: 'owner@foyer.test', password: 'correct horse battery', role: 'owner' });
      const ctx = { keys: deriveKeys(SECRET_KEY), cipher };
      for (const n of [1, 2]) {
        const mac = `02:00:00:00:00:0${n}`;
        const g = await db.tx(async (tx) => {
          const subjectId = await upsertSubject(tx, ctx, venue.id, { e164: `+35988100000${n}` });
          return createGrant(tx, cipher, {
            venueId: venue.id,
            subjectId,
            clientMac: mac,
            session: venue.settings.session,
          });
        });
        const sessionId = randomUUID();
        const now = Date.now();
        await db.run(
          `INSERT INTO sessions (id, nas_id, acct_session_id, grant_id, username, mac, started_at, updated_at, input_octets, output_octets, interim_interval, stale_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 300, ?)`,
          [sessionId, ap.id, `acct-${n}`, g.id, g.username, mac, now, now, now + 900_000],
        );
        devices.push({
          mac: mac.toUpperCase().replace(/:/g, '-'),
          username: g.username,
          password: g.password,
          sessionId,
        });
      }
    } finally {
      await db.close();
    }
    p1 = await foyerProcess(env);
    p2 = await foyerProcess(env);
    await Promise.all([p1.start(), p2.start()]);
  });
  after(async () => {
    await p1?.kill();
    await p2?.kill();
    await nas?.close();
    await drop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a block from the console of process 1 and a revocation from the CLI reach process 2 within a second', async () => {
    const [d1, d2] = devices;
    // Process 2 answers both devices, and keeps their grants in its cache.
    for (let i = 0; i < 3; i++) {
      assert.equal(await ask(p2, d1.mac, d1.mac, d1.mac), 2, 'MAC authentication of device 1 on process 2');
      assert.equal(await ask(p2, d2.username, d2.password, d2.mac), 2, 'device 2 signs in on process 2');
    }

    const admin = new AdminClient(p1.url);
    assert.equal((await admin.login('owner@foyer.test', 'correct horse battery')).status, 303);
    await admin.get('/admin/network/sessions');
    const res = await admin.post(`/admin/sessions/${d1.sessionId}/end`, {});
    const blockedAt = Date.now();
    assert.equal(res.status, 200, res.html);
    const consoleMs = await untilRejected(p2, d1.mac, d1.mac, d1.mac, blockedAt);

    const cli = await foyer(['sessions', 'disconnect', '--revoke', d2.sessionId], env);
    const revokedAt = Date.now();
    assert.equal(cli.code, 0, cli.stderr);
    const cliMs = await untilRejected(p2, d2.username, d2.password, d2.mac, revokedAt);

    assert.equal(nas.received.length, 2, 'a Disconnect-Request for each session');
    assert.ok(consoleMs <= 1500, `console block reached process 2 in ${consoleMs} ms`);
    assert.ok(cliMs <= 1500, `CLI revocation reached process 2 in ${cliMs} ms`);
    console.log(
      `      process 2 refused the blocked device ${consoleMs} ms after the console answered, the revoked grant ${cliMs} ms after the CLI exited`,
    );
  });
});
