// `npm run bench -- soak`: screen 1 and RADIUS at saturation for SOAK_SECONDS (default
// 600) against Foyer as `npm start` runs it (SQLite). Reports throughput early and late,
// the error count (must be 0) and resident memory after warm-up and at the end (must not
// keep growing).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDb } from '../../portal/store/open.ts';
import { migrate } from '../../portal/store/migrate.ts';
import { ledgerMigrationSteps } from '../../portal/consent/head.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { fieldCipher } from '../../portal/crypto/fields.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { createGrant } from '../../portal/access/grants.ts';
import { upsertSubject } from '../../portal/consent/subjects.ts';
import { foyerProcess } from '../support/foyer-process.ts';
import { runLoadInChild, type LoadUser } from '../support/radius-load.ts';
import { report } from './report.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const SECRET_KEY = 'soak-secret-key-0123456789abcdef0123456789';
const NAS_SECRET = 'soak-nas-secret';
const run = promisify(execFile);

/** HTTP load for `seconds`: wrk when installed, else a Node client; returns requests/s and errors. */
async function httpLoad(url: string, seconds: number): Promise<{ rps: number; errors: number }> {
  try {
    const { stdout } = await run('wrk', ['-t1', '-c32', `-d${seconds}s`, '--latency', url], {
      timeout: (seconds + 30) * 1000,
    });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
    return { rps, errors: non2xx + (sock ? sock.slice(1).reduce((s, n) => s + Number(n), 0) : 0) };
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
  let done = 0;
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (Date.now() < until) {
        try {
          const r = await fetch(url);
          await r.arrayBuffer();
          if (r.status !== 200) errors++;
          done++;
        } catch {
          errors++;
        }
      }
    }),
  );
  return { rps: done / seconds, errors };
}

export default async function soak() {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-soak-'));
  const dbUrl = join(dir, 'foyer.db');
  const keys = deriveKeys(SECRET_KEY);
  const cipher = fieldCipher(keys);
  const db = await openDb(dbUrl);
  await migrate(db, ledgerMigrationSteps(keys));
  const venue = await createVenue(db, { slug: 'soak', name: 'Soak Café', country: 'BG' });
  await addNas(db, cipher, {
    name: 'soak-nas',
    address: '127.0.0.1',
    secret: NAS_SECRET,
    vendor: 'mikrotik',
    venueId: venue.id,
  });
  const users: LoadUser[] = [];
  await db.tx(async (tx) => {
    for (let i = 0; i < 1000; i++) {
      const subjectId = await upsertSubject(tx, { keys, cipher }, venue.id, {
        e164: `+3598871${String(i).padStart(5, '0')}`,
      });
      const g = await createGrant(tx, cipher, {
        venueId: venue.id,
        subjectId,
        session: { ...venue.settings.session, durationMinutes: 43200, devicesPerGuest: 20 },
      });
      users.push({ name: g.username, password: g.password });
    }
  });
  await db.close();

  const p = await foyerProcess({ DATABASE_URL: dbUrl, DATA_DIR: dir, SECRET_KEY, LOG_LEVEL: 'error' });
  await p.start();
  try {
    const samples: { at: number; rss: number }[] = [];
    const t0 = Date.now();
    const sampler = setInterval(() => samples.push({ at: (Date.now() - t0) / 1000, rss: p.rss() }), 5000);
    const half = Math.floor(SECONDS / 2);
    const radius = (seconds: number) =>
      runLoadInChild({
        host: '127.0.0.1',
        port: p.authPort,
        secret: NAS_SECRET,
        users,
        inFlight: 32,
        maxRequests: 1e9,
        maxSeconds: seconds,
        lostAfterMs: 2000,
      });
    const [h1, r1] = await Promise.all([httpLoad(`${p.url}/p/soak`, half), radius(half)]);
    const rssMid = p.rss();
    const [h2, r2] = await Promise.all([httpLoad(`${p.url}/p/soak`, SECONDS - half), radius(SECONDS - half)]);
    clearInterval(sampler);
    const rssEnd = p.rss();
    const warm = samples.find((s) => s.at >= 30)?.rss ?? samples[0]?.rss ?? rssMid;
    const errors = h1.errors + h2.errors + r1.lost + r2.lost + r1.rejected + r2.rejected;
    report({
      bench: 'soak.http_screen1_rps_second_half',
      value: h2.rps,
      unit: 'req/s',
      baseline: 'first half, same run',
      baseline_value: h1.rps,
    });
    report({
      bench: 'soak.radius_access_rps_second_half',
      value: r2.perSecond,
      unit: 'req/s',
      baseline: 'first half, same run',
      baseline_value: r1.perSecond,
    });
    report({ bench: 'soak.errors', value: errors, unit: 'count', baseline: 'required', baseline_value: 0 });
    report({
      bench: 'soak.rss_end',
      value: rssEnd / 1048576,
      unit: 'MiB',
      baseline: 'rss after 30 s warm-up',
      baseline_value: warm / 1048576,
    });
    report({
      bench: 'soak.rss_growth_second_half',
      value: (rssEnd - rssMid) / 1048576,
      unit: 'MiB',
      baseline: 'rss growth in the first half after warm-up',
      baseline_value: (rssMid - warm) / 1048576,
    });
    if (errors > 0) process.exitCode = 1;
  } finally {
    await p.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
