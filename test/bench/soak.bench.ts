// `npm run bench -- soak`: issue 18's mixed load for SOAK_SECONDS (default 600) against
// Foyer as `npm start` runs it (SQLite), all three at once and at full speed:
//   - complete sign-ups through the real flow (test/bench/guest-client.ts in a child:
//     cookies, forms, the code from the console outbox), SOAK_GUESTS at once;
//   - returning devices: MAC authentication (CoovaChilli's form) of SOAK_DEVICES devices
//     that signed up through the portal before the soak, 16 requests in flight;
//   - screen 1 GETs from a NAS redirect, wrk -t1 -c8.
// Reports each part's throughput in the first and the second half, the errors (must be 0:
// failed sign-ups, non-200 screen 1 answers and socket errors, RADIUS rejects and losses,
// sign-ups acknowledged without a grant stored), and resident memory after a 30 s warm-up
// and at the end (must not keep growing).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../portal/store/open.ts';
import { runLoadInChild, type LoadUser } from '../support/radius-load.ts';
import { cpuSeconds, waitUntilAnswering } from '../support/radius-side-by-side.ts';
import { report } from './report.ts';
import { WRK, wrk } from './generator.ts';
import { runGuestClient, signUpDevices } from './guest-client.ts';
import { prepareSignupDatabase, startSignupFoyer } from './signup-foyer.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const DEVICES = Number(process.env.SOAK_DEVICES ?? 500);
const GUESTS = Number(process.env.SOAK_GUESTS ?? 8);
const SECRET_KEY = 'soak-secret-key-0123456789abcdef0123456789';
const NAS_SECRET = 'soak-nas-secret';
// The sign-ups come from this many loopback addresses, as guests have their own: ten minutes
// of sign-ups from one address would meet its limit (RAISED: 10,000 codes an hour), rightly.
const ADDRESSES = 32;

/** One half of the soak: the three loads at once for `seconds`. */
async function half(
  p: { url: string; authPort: number },
  outbox: string,
  devices: LoadUser[],
  seconds: number,
  firstGuest: number,
) {
  const [screen1, radius, signups] = await Promise.all([
    wrk(`${p.url}/p/soak?mac=02:00:00:ff:ff:01&ip=10.9.9.9&nasid=bench-ap&ssid=Soak`, seconds, {
      threads: 1,
      connections: 8,
      warmup: false,
    }),
    runLoadInChild({
      host: '127.0.0.1',
      port: p.authPort,
      secret: NAS_SECRET,
      users: devices,
      inFlight: 16,
      maxRequests: 1e9,
      maxSeconds: seconds,
      lostAfterMs: 2000,
    }),
    runGuestClient({
      bases: [p.url],
      slug: 'soak',
      outbox,
      concurrency: GUESTS,
      firstGuest,
      warmupMs: 0,
      measureMs: seconds * 1000,
      addresses: ADDRESSES,
    }),
  ]);
  return { screen1, radius, signups };
}

export default async function soak() {
  if (!existsSync(WRK)) throw new Error(`${WRK} is missing: apt-get install wrk`);
  const dir = mkdtempSync(join(tmpdir(), 'foyer-soak-'));
  const setup = {
    dbUrl: join(dir, 'foyer.db'),
    dir,
    outbox: join(dir, 'outbox.jsonl'),
    secretKey: SECRET_KEY,
    slug: 'soak',
  };
  await prepareSignupDatabase(setup, NAS_SECRET);
  const p = await startSignupFoyer(setup);
  const { outbox, dbUrl } = setup;
  try {
    const t0 = Date.now();
    const devices = await signUpDevices(p.url, 'soak', outbox, DEVICES);
    await waitUntilAnswering(p.authPort, NAS_SECRET, devices[0]);
    console.error(
      `# ${devices.length} devices signed up through the portal in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );

    const samples: { at: number; rss: number }[] = [];
    const t1 = Date.now();
    const sampler = setInterval(() => samples.push({ at: (Date.now() - t1) / 1000, rss: p.rss() }), 5000);
    const firstHalf = Math.floor(SECONDS / 2);
    const cpu0 = cpuSeconds(p.pid()!);
    const a = await half(p, outbox, devices, firstHalf, 1_000_000);
    const rssMid = p.rss();
    const cpuMid = cpuSeconds(p.pid()!);
    const b = await half(p, outbox, devices, SECONDS - firstHalf, 5_000_000);
    // Foyer's CPU share of one core in the second half (the three loads share it).
    const serverPct = (100 * (cpuSeconds(p.pid()!) - cpuMid)) / (SECONDS - firstHalf);
    console.error(
      `# Foyer's CPU: first half ${Math.round((100 * (cpuMid - cpu0)) / firstHalf)} %, second half ${Math.round(serverPct)} %`,
    );
    clearInterval(sampler);
    const rssEnd = p.rss();
    const warm = samples.find((s) => s.at >= 30)?.rss ?? samples[0]?.rss ?? rssMid;

    // Every sign-up the client saw complete left a grant (and the devices theirs).
    const check = await openDb(dbUrl);
    const grants = Number((await check.get<{ n: number }>('SELECT COUNT(*) AS n FROM grants'))!.n);
    await check.close();
    const acknowledged = devices.length + a.signups.completed + b.signups.completed;
    const missing = Math.max(0, acknowledged - grants);

    const parts = [a, b].map((h) => ({
      signup: h.signups.errors,
      screen1: h.screen1.non2xx + h.screen1.socketErrors,
      radius: h.radius.rejected + h.radius.lost,
    }));
    const [x, y] = [a, b];
    console.error(
      `# errors by kind: screen 1 not 200 ${x.screen1.non2xx + y.screen1.non2xx}, unanswered in 2 s ${x.screen1.timeouts + y.screen1.timeouts}, other socket errors ${x.screen1.socketErrors + y.screen1.socketErrors - x.screen1.timeouts - y.screen1.timeouts}; RADIUS rejected ${x.radius.rejected + y.radius.rejected}, unanswered in 2 s ${x.radius.lost + y.radius.lost}`,
    );
    const sum = (k: 'signup' | 'screen1' | 'radius') => parts[0][k] + parts[1][k];
    const errors = sum('signup') + sum('screen1') + sum('radius') + missing;
    const late = `second half of ${SECONDS} s`;
    const early = 'first half, same run';
    report({
      bench: `soak.signup_per_second (${late}, ${GUESTS} guests at once, sqlite)`,
      value: b.signups.completed / (SECONDS - firstHalf),
      unit: 'sign-ups/s',
      baseline: early,
      baseline_value: a.signups.completed / firstHalf,
      generator_cpu_pct: (100 * b.signups.cpuSeconds) / b.signups.wallSeconds,
      server_cpu_pct: serverPct,
    });
    report({
      bench: `soak.radius_mac_rps (${late}, ${devices.length} returning devices, 16 in flight)`,
      value: b.radius.perSecond,
      unit: 'req/s',
      baseline: early,
      baseline_value: a.radius.perSecond,
      server_cpu_pct: serverPct,
    });
    report({
      bench: `soak.screen1_rps (${late}, wrk -t1 -c8)`,
      value: b.screen1.rps,
      unit: 'req/s',
      baseline: early,
      baseline_value: a.screen1.rps,
      generator_cpu_pct: b.screen1.generatorCpuPct,
      server_cpu_pct: serverPct,
    });
    report({
      bench: `soak.errors (sign-ups ${sum('signup')}${a.signups.lastError || b.signups.lastError ? ` [last: ${b.signups.lastError || a.signups.lastError}]` : ''}, screen 1 ${sum('screen1')}, radius rejected or lost ${sum('radius')}, acknowledged sign-ups without a grant ${missing} of ${acknowledged})`,
      value: errors,
      unit: 'count',
      baseline: 'required',
      baseline_value: 0,
    });
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
