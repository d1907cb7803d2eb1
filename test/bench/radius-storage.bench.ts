// Access-Request throughput, server CPU per request and p50/p99 latency of Foyer as
// `npm start` runs it (portal/main.ts in its own process) on SQLite, and on PostgreSQL
// when FOYER_TEST_POSTGRES_URL is set: database migrated, a NAS and 10,000 grants
// written beforehand. Baseline: FreeRADIUS 3.2.1 with the same 10,000 user names and
// passwords in `files`, same load, same run, in alternating rounds.
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
import { sideBySide, startFoyer, waitUntilAnswering, type Contender, type Server } from '../support/radius-side-by-side.ts';

const GRANTS = Number(process.env.BENCH_RADIUS_GRANTS ?? 10_000);
const SECRET = 'bench-secret-123';
const SECRET_KEY = 'bench-secret-key-0123456789abcdef0123456789';

async function seedGrants(ctx: AppContext, count: number): Promise<Grant[]> {
  const venue = await createVenue(ctx.db, { slug: 'bench', name: 'Bench', country: 'BG' });
  await addNas(ctx.db, ctx.cipher, { name: 'bench-ap', address: '127.0.0.1', secret: SECRET, vendor: 'coovachilli', venueId: venue.id });
  const grants: Grant[] = [];
  for (let done = 0; done < count; done += 500) {
    const batch = await ctx.db.tx(async (tx) => {
      const out: Grant[] = [];
      for (let i = done; i < Math.min(count, done + 500); i++) {
        const subjectId = await upsertSubject(tx, ctx, venue.id, { e164: `+3598870${String(i).padStart(5, '0')}` });
        out.push(await createGrant(tx, ctx.cipher, { venueId: venue.id, subjectId, clientMac: null, session: venue.settings.session }));
      }
      return out;
    });
    grants.push(...batch);
  }
  return grants;
}

/** A database with the NAS and the grants on it, closed again: Foyer opens it itself. */
async function prepare(backend: Backend): Promise<{ env: Record<string, string>; users: LoadUser[]; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-bench-'));
  const pgDb = backend === 'postgres' ? await freshPostgresUrl() : undefined;
  const env = { DATA_DIR: dir, DATABASE_URL: pgDb?.url ?? join(dir, 'foyer.db'), SECRET_KEY };
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

async function foyerContender(name: string, env: Record<string, string>, users: LoadUser[]): Promise<{ contender: Contender; server: Server }> {
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
      const uncached = await foyerContender(`foyer-${backend}-nocache`, { ...db.env, RADIUS_GRANT_CACHE_MS: '0' }, db.users);
      servers.push(uncached.server);
      fr = freeradiusAvailable() ? await startFreeRadiusContender(db.users, SECRET) : undefined;
      const contenders = [cached.contender, uncached.contender, ...(fr ? [fr.contender] : [])];
      const figures = await sideBySide(contenders, ROUNDS, roundOptions());
      const baseline = fr && figures.get('freeradius');
      reportSideBySide(`radius ${backend} (npm start, ${GRANTS} grants)`, figures.get(cached.contender.name)!, baseline, ', grant cache as shipped');
      reportSideBySide(`radius ${backend} (npm start, ${GRANTS} grants)`, figures.get(uncached.contender.name)!, baseline, ', grant cache off: every request reads the database');
    } finally {
      for (const s of servers) await s.stop();
      await fr?.stop();
      await db.cleanup();
    }
  }
}
