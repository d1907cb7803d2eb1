// Access-Request throughput, server CPU per request and p50/p99 latency of Foyer as
// `npm start` runs it (portal/main.ts in its own process) on SQLite, and on PostgreSQL
// when FOYER_TEST_POSTGRES_URL is set: database migrated, a NAS and 10,000 grants
// written beforehand. Baseline: FreeRADIUS 3.2.1 with the same 10,000 user names and
// passwords in `files`, same load, same run, in alternating rounds.
//
// MAC authentication (issue 18): 1,000 devices (BENCH_RADIUS_DEVICES) sign up through the
// portal's real HTTP flow (test/bench/guest-client.ts: cookies, forms, the code from the
// SMS outbox) on the Foyer under test, then come back as a CoovaChilli NAS asks about a
// returning device: its MAC as User-Name, User-Password and Calling-Station-Id. FreeRADIUS
// gets the same devices in `files` (the MAC as user name and password), same run.
// BENCH_RADIUS_PATHS=pap,mac (the default) picks which are measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../portal/config.ts';
import { createLogger } from '../../portal/log.ts';
import { buildContext, type AppContext } from '../../portal/context.ts';
import { createGrant, type Grant } from '../../portal/access/grants.ts';
import { upsertSubject } from '../../portal/consent/subjects.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { freshPostgresUrl, type Backend } from '../support/context.ts';
import { postgresUrl } from '../support/env.ts';
import { freeradiusAvailable } from '../support/radius-freeradius.ts';
import type { LoadUser } from '../support/radius-load.ts';
import { reportSideBySide, roundOptions, ROUNDS, startFreeRadiusContender } from '../support/radius-bench-figures.ts';
import {
  sideBySide,
  startFoyer,
  waitUntilAnswering,
  type Contender,
  type Server,
} from '../support/radius-side-by-side.ts';
import { signUpDevices } from './guest-client.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { RAISED } from './portal.bench.ts';

const GRANTS = Number(process.env.BENCH_RADIUS_GRANTS ?? 10_000);
const DEVICES = Number(process.env.BENCH_RADIUS_DEVICES ?? 1000);
const PATHS = (process.env.BENCH_RADIUS_PATHS ?? 'pap,mac').split(',');
const SECRET = 'bench-secret-123';
const SECRET_KEY = 'bench-secret-key-0123456789abcdef0123456789';

async function seedGrants(ctx: AppContext, count: number): Promise<Grant[]> {
  // Limits raised so that one machine may sign up its devices quickly (the MAC figures).
  const venue = await createVenue(ctx.db, {
    slug: 'bench',
    name: 'Bench',
    country: 'BG',
    settings: venueSettingsSchema.parse(RAISED),
  });
  await addNas(ctx.db, ctx.cipher, {
    name: 'bench-ap',
    address: '127.0.0.1',
    secret: SECRET,
    vendor: 'coovachilli',
    venueId: venue.id,
  });
  const grants: Grant[] = [];
  for (let done = 0; done < count; done += 500) {
    const batch = await ctx.db.tx(async (tx) => {
      const out: Grant[] = [];
      for (let i = done; i < Math.min(count, done + 500); i++) {
        const subjectId = await upsertSubject(tx, ctx, venue.id, { e164: `+3598870${String(i).padStart(5, '0')}` });
        out.push(
          await createGrant(tx, ctx.cipher, {
            venueId: venue.id,
            subjectId,
            clientMac: null,
            session: venue.settings.session,
          }),
        );
      }
      return out;
    });
    grants.push(...batch);
  }
  return grants;
}

/** A database with the NAS and the grants on it, closed again: Foyer opens it itself. */
async function prepare(
  backend: Backend,
): Promise<{ env: Record<string, string>; users: LoadUser[]; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-bench-'));
  const pgDb = backend === 'postgres' ? await freshPostgresUrl() : undefined;
  const env = {
    DATA_DIR: dir,
    DATABASE_URL: pgDb?.url ?? join(dir, 'foyer.db'),
    SECRET_KEY,
    SMS_OUTBOX: join(dir, 'outbox.jsonl'),
  };
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent', JOBS: 'false', DEMO_SEED: 'false' });
  const ctx = await buildContext(config, createLogger(config.LOG_LEVEL));
  let grants: Grant[];
  try {
    grants = await seedGrants(ctx, GRANTS);
  } finally {
    await ctx.sms.close().catch(() => undefined);
    await ctx.db.close();
  }
  return {
    env,
    users: grants.map((g) => ({ name: g.username, password: g.password })),
    async cleanup() {
      await pgDb?.drop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function foyerContender(
  name: string,
  env: Record<string, string>,
  users: LoadUser[],
): Promise<{ contender: Contender; server: Server }> {
  const server = await startFoyer(env, process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean));
  await waitUntilAnswering(server.port, SECRET, users[0]);
  return { server, contender: { name, port: server.port, pid: server.pid, users, secret: SECRET } };
}

export default async function radiusStorageBench(): Promise<void> {
  const backends: Backend[] = postgresUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
  if (!postgresUrl()) console.error('# FOYER_TEST_POSTGRES_URL not set: SQLite only');
  for (const backend of backends) {
    console.error(`# ${backend}: seeding ${GRANTS} grants ...`);
    const db = await prepare(backend);
    const servers: Server[] = [];
    let fr: Awaited<ReturnType<typeof startFreeRadiusContender>> | undefined;
    try {
      // As shipped (grant state kept in memory, kept right by the grant change feed) and with
      // the cache off, so that every request reads the database: the uncached figure is the
      // database's cost.
      const cached = await foyerContender(`foyer-${backend}`, db.env, db.users);
      servers.push(cached.server);
      const uncached = await foyerContender(
        `foyer-${backend}-nocache`,
        { ...db.env, RADIUS_GRANT_CACHE_MS: '0' },
        db.users,
      );
      servers.push(uncached.server);
      let devices: LoadUser[] = [];
      if (PATHS.includes('mac')) {
        const t0 = Date.now();
        devices = await signUpDevices(cached.server.url, 'bench', db.env.SMS_OUTBOX, DEVICES);
        console.error(
          `# ${backend}: ${devices.length} devices signed up through the portal in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
        await waitUntilAnswering(cached.server.port, SECRET, devices[0]);
      }
      // One FreeRADIUS holding both kinds of user, as many of each as Foyer has.
      fr = freeradiusAvailable() ? await startFreeRadiusContender([...db.users, ...devices], SECRET) : undefined;
      const mac = (c: Contender): Contender => ({ ...c, name: `${c.name}-mac`, users: devices });
      const pap = (c: Contender): Contender => ({ ...c, users: db.users });
      const contenders = [
        ...(PATHS.includes('pap') ? [cached.contender, uncached.contender, ...(fr ? [pap(fr.contender)] : [])] : []),
        ...(PATHS.includes('mac') ? [mac(cached.contender), ...(fr ? [mac(fr.contender)] : [])] : []),
      ];
      const figures = await sideBySide(contenders, ROUNDS, roundOptions());
      const label = `radius ${backend} (npm start, ${GRANTS} grants)`;
      if (PATHS.includes('pap')) {
        const baseline = fr && figures.get('freeradius');
        reportSideBySide(label, figures.get(cached.contender.name)!, baseline, ', grant cache as shipped');
        reportSideBySide(
          label,
          figures.get(uncached.contender.name)!,
          baseline,
          ', grant cache off: every request reads the database',
        );
      }
      if (PATHS.includes('mac')) {
        reportSideBySide(
          `radius ${backend} (npm start, ${devices.length} devices signed up through the portal)`,
          figures.get(`${cached.contender.name}-mac`)!,
          fr && figures.get('freeradius-mac'),
          ', MAC authentication of returning devices, grant cache as shipped',
        );
      }
    } finally {
      for (const s of servers) await s.stop();
      await fr?.stop();
      await db.cleanup();
    }
  }
}
