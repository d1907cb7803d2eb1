// Access-Request throughput and latency of Foyer's access policy with its real storage
// (SQLite, and PostgreSQL when FOYER_TEST_POSTGRES_URL is set), 10,000 grants on file,
// beside an in-memory authoriser doing the same checks, measured in the same run.
// Each request: one indexed query, decrypt the password, check it (PAP), build the accept.
import { testContext, type Backend } from '../support/context.ts';
import { postgresUrl } from '../support/env.ts';
import { createAccessPolicy } from '../../portal/access/policy.ts';
import { createGrant, type Grant } from '../../portal/access/grants.ts';
import { upsertSubject } from '../../portal/consent/subjects.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import type { AccessDecision, AccessRequest, Authorizer, NasClient } from '../../radius/types.ts';
import type { AppContext } from '../../portal/context.ts';
import { report } from './report.ts';

const GRANTS = Number(process.env.BENCH_RADIUS_GRANTS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_RADIUS_REQUESTS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_RADIUS_CONCURRENCY ?? 32);

export async function seedGrants(ctx: AppContext, count: number): Promise<{ grants: Grant[]; nas: NasClient }> {
  const venue = await createVenue(ctx.db, { slug: 'bench', name: 'Bench', country: 'BG' });
  const nas = await addNas(ctx.db, ctx.cipher, { name: 'bench-ap', address: '127.0.0.1', secret: 'bench-secret-123', vendor: 'coovachilli', venueId: venue.id });
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
  return { grants, nas };
}

const pap = (nas: NasClient, g: Grant): AccessRequest => ({
  nas, userName: g.username, method: 'pap', attributes: {},
  checkPassword: (c) => c === g.password,
});

/** The same decisions from a Map: what the policy costs beyond its storage. */
function inMemory(grants: Grant[]): Authorizer {
  const byName = new Map(grants.map((g) => [g.username, g]));
  return {
    async authorize(req): Promise<AccessDecision> {
      const g = byName.get(req.userName);
      if (!g || !req.checkPassword(g.password) || g.venueId !== req.nas.venueId || g.endsAt <= Date.now()) return { result: 'reject', replyMessage: 'no' };
      return { result: 'accept', sessionTimeout: Math.floor((g.endsAt - Date.now()) / 1000), idleTimeout: g.idleTimeout, class: g.id };
    },
    async account() {},
  };
}

async function drive(auth: Authorizer, requests: AccessRequest[]): Promise<{ perSecond: number; p50: number; p99: number }> {
  const latencies = new Float64Array(requests.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const i = next++;
        const t = performance.now();
        const d = await auth.authorize(requests[i]);
        latencies[i] = performance.now() - t;
        if (d.result !== 'accept') throw new Error(`bench request ${i} was not accepted: ${JSON.stringify(d)}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return { perSecond: requests.length / seconds, p50: sorted[Math.floor(sorted.length * 0.5)], p99: sorted[Math.floor(sorted.length * 0.99)] };
}

export default async function () {
  const backends: Backend[] = postgresUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
  for (const backend of backends) {
    const ctx = await testContext({ backend });
    try {
      console.error(`# ${backend}: seeding ${GRANTS} grants ...`);
      const { grants, nas } = await seedGrants(ctx, GRANTS);
      const requests = Array.from({ length: REQUESTS }, (_, i) => pap(nas, grants[(i * 7919) % grants.length]));
      const policy = createAccessPolicy({ db: ctx.db, cipher: ctx.cipher, log: ctx.log });
      await drive(policy, requests.slice(0, 1000)); // warm-up: caches, statement preparation, pool
      const memory = await drive(inMemory(grants), requests);
      const foyer = await drive(policy, requests);
      const base = `in-memory authoriser, ${GRANTS} grants, ${CONCURRENCY} in flight`;
      report({ bench: `access policy ${backend}: Access-Request throughput (${GRANTS} grants)`, value: foyer.perSecond, unit: 'req/s', baseline: base, baseline_value: memory.perSecond });
      report({ bench: `access policy ${backend}: Access-Request p50 latency`, value: foyer.p50, unit: 'ms', baseline: base, baseline_value: memory.p50 });
      report({ bench: `access policy ${backend}: Access-Request p99 latency`, value: foyer.p99, unit: 'ms', baseline: base, baseline_value: memory.p99 });
    } finally {
      await ctx.cleanup();
    }
  }
}
