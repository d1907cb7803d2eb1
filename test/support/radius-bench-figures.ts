// What the RADIUS benchmarks share: the FreeRADIUS contender, the load settings
// (environment overrides) and the JSON lines of a side-by-side comparison.
import { execFileSync } from 'node:child_process';
import { startFreeRadius } from './radius-freeradius.ts';
import type { LoadUser } from './radius-load.ts';
import {
  freePort,
  waitUntilAnswering,
  type Contender,
  type Figures,
  type RoundOptions,
} from './radius-side-by-side.ts';
import { report } from '../bench/report.ts';

// Five: on a shared 2-core machine rounds fall into a fast and a slow mode (p50 at 8 in
// flight 0.17 or 0.28 ms from one round to the next), and a median of three too often
// reports the slow one.
export const ROUNDS = Number(process.env.BENCH_RADIUS_ROUNDS ?? 5);

export function roundOptions(): RoundOptions {
  return {
    requests: Number(process.env.BENCH_RADIUS_REQUESTS ?? 100_000),
    distinct: Number(process.env.BENCH_RADIUS_DISTINCT ?? 1000),
    inFlight: Number(process.env.BENCH_RADIUS_IN_FLIGHT ?? 32),
    latencyRequests: Number(process.env.BENCH_RADIUS_LATENCY_REQUESTS ?? 20_000),
    latencyInFlight: (process.env.BENCH_RADIUS_LATENCY_IN_FLIGHT ?? '1,8').split(',').map(Number),
    latencyWarmup: Number(process.env.BENCH_RADIUS_LATENCY_WARMUP ?? 5_000),
    radclients: Number(process.env.BENCH_RADCLIENTS ?? 2),
  };
}

export async function startFreeRadiusContender(
  users: LoadUser[],
  secret: string,
): Promise<{ contender: Contender; stop(): Promise<void> }> {
  const [authPort, acctPort, innerPort] = [await freePort('udp'), await freePort('udp'), await freePort('udp')];
  const fr = startFreeRadius({ authPort, acctPort, innerPort, secret, users });
  try {
    await waitUntilAnswering(authPort, secret, users[0]);
    const pid = Number(
      execFileSync('pgrep', ['-f', `^freeradius -f -d ${fr.dir}$`])
        .toString()
        .trim()
        .split('\n')[0],
    );
    return { contender: { name: 'freeradius', port: authPort, pid, users, secret }, stop: () => fr.stop() };
  } catch (err) {
    await fr.stop();
    throw err;
  }
}

/** JSON lines: throughput, server CPU per request, p50 and p99 at each latency load; baseline FreeRADIUS from the same run. */
export function reportSideBySide(label: string, ours: Figures, theirs: Figures | undefined, note = ''): void {
  const o = roundOptions();
  const load = `${o.inFlight} in flight`;
  const baseline = theirs
    ? `freeradius-3.2.1 files, 10,000 users, same load, same run (median of ${ROUNDS} alternating rounds)`
    : 'none (freeradius not installed)';
  const lost = ours.lost || ours.rejected ? `, lost ${ours.lost}, rejected ${ours.rejected}` : '';
  const generator = `${ours.generatorProcesses} load process${ours.generatorProcesses > 1 ? 'es' : ''}`;
  report({
    bench: `${label}: Access-Request throughput (${load}, ${generator}${note}${lost})`,
    value: ours.perSecond,
    unit: 'req/s',
    baseline,
    baseline_value: theirs?.perSecond ?? 0,
    generator_cpu_pct: ours.generatorCpuPct,
  });
  report({
    bench: `${label}: server CPU per Access-Request${note}`,
    value: ours.cpuUsPerRequest,
    unit: 'µs',
    baseline,
    baseline_value: theirs?.cpuUsPerRequest ?? 0,
  });
  ours.latency.forEach((l, i) => {
    for (const p of ['p50', 'p99'] as const) {
      const key = `${p}Ms` as const;
      report({
        bench: `${label}: Access-Request ${p} latency (${l.inFlight} in flight${note})`,
        value: l[key],
        unit: 'ms',
        baseline,
        baseline_value: theirs?.latency[i][key] ?? 0,
      });
    }
  });
}
