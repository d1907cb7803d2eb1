// Access-Request throughput and latency of Foyer with its real storage (SQLite, and
// PostgreSQL when FOYER_TEST_POSTGRES_URL is set), 10,000 grants on file, measured twice:
//  - over UDP on loopback (PAP with Message-Authenticator, encoded by the `radius` package),
//    beside the same RADIUS server answering from an in-memory authoriser;
//  - the access policy alone (authorize() called directly), beside the in-memory authoriser.
// Each request: one indexed query, decrypt the password, check it, build the accept.
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { startHarness, nas as harnessNas } from '../support/radius-harness.ts';
import { startRadius } from '../../portal/access/radius-service.ts';
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
const SECRET = 'bench-secret-123';
const radius = createRequire(import.meta.url)('radius') as { encode(args: object): Buffer };

export async function seedGrants(ctx: AppContext, count: number): Promise<{ grants: Grant[]; nas: NasClient }> {
  const venue = await createVenue(ctx.db, { slug: 'bench', name: 'Bench', country: 'BG' });
  const nas = await addNas(ctx.db, ctx.cipher, { name: 'bench-ap', address: '127.0.0.1', secret: SECRET, vendor: 'coovachilli', venueId: venue.id });
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

/** Encoded before the clock starts: the load client must not be what is measured. */
function encodeAll(grants: Grant[], count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const g = grants[(i * 7919) % grants.length];
    return radius.encode({
      code: 'Access-Request', secret: SECRET, identifier: i % 256, add_message_authenticator: true,
      attributes: [['User-Name', g.username], ['User-Password', g.password], ['NAS-IP-Address', '127.0.0.1'], ['Calling-Station-Id', '02-00-00-00-00-01']],
    });
  });
}

/** CONCURRENCY sockets, one request in flight each; a request unanswered in 2 s counts as lost. */
async function udpLoad(port: number, packets: Buffer[]): Promise<{ perSecond: number; p50: number; p99: number; lost: number; accepted: number }> {
  const latencies: number[] = [];
  let next = 0;
  let lost = 0;
  let accepted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      let waiting: ((m: Buffer | undefined) => void) | undefined;
      socket.on('message', (m) => waiting?.(m));
      while (next < packets.length) {
        const p = packets[next++];
        const t = performance.now();
        const reply = await new Promise<Buffer | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), 2000);
          waiting = (m) => {
            if (!m || m[1] !== p[1]) return;
            clearTimeout(timer);
            resolve(m);
          };
          socket.send(p, port, '127.0.0.1');
        });
        if (!reply) lost++;
        else {
          latencies.push(performance.now() - t);
          if (reply[0] === 2) accepted++;
        }
      }
      socket.close();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)], lost, accepted };
}

async function udpFigures(ctx: AppContext, backend: Backend, grants: Grant[]): Promise<void> {
  const packets = encodeAll(grants, REQUESTS);
  const warm = encodeAll(grants, 1000);
  const byName = inMemory(grants);
  const memory = await startHarness({ clients: { '127.0.0.1': harnessNas({ secret: Buffer.from(SECRET), venueId: grants[0].venueId }) }, decide: (r) => byName.authorize(r) });
  const foyer = await startRadius(ctx, { authPort: 0, acctPort: 0, host: '127.0.0.1' });
  try {
    await udpLoad(memory.authPort, warm);
    const base = await udpLoad(memory.authPort, packets);
    await udpLoad(foyer.authPort, warm);
    const ours = await udpLoad(foyer.authPort, packets);
    if (ours.accepted !== REQUESTS - ours.lost) throw new Error(`only ${ours.accepted} of ${REQUESTS} accepted`);
    const label = `Foyer RADIUS, in-memory authoriser, ${GRANTS} grants, ${CONCURRENCY} in flight, UDP loopback`;
    report({ bench: `radius ${backend}: Access-Request throughput over UDP (${GRANTS} grants, lost ${ours.lost})`, value: ours.perSecond, unit: 'req/s', baseline: label, baseline_value: base.perSecond });
    report({ bench: `radius ${backend}: Access-Request p50 latency over UDP`, value: ours.p50, unit: 'ms', baseline: label, baseline_value: base.p50 });
    report({ bench: `radius ${backend}: Access-Request p99 latency over UDP`, value: ours.p99, unit: 'ms', baseline: label, baseline_value: base.p99 });
  } finally {
    await foyer.stop();
    await memory.stop();
  }
}

export default async function () {
  const backends: Backend[] = postgresUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
  for (const backend of backends) {
    const ctx = await testContext({ backend });
    try {
      console.error(`# ${backend}: seeding ${GRANTS} grants ...`);
      const { grants, nas } = await seedGrants(ctx, GRANTS);
      await udpFigures(ctx, backend, grants);
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
