// Load generators in processes of their own, with the CPU they used, so every figure can
// show that its generator was not the bottleneck. A generator near 100 % of a core is;
// one well below it is not (on this 2-core machine the server competes for the other).
import { spawn } from 'node:child_process';

export interface GeneratorRun {
  stdout: string;
  /** User + system CPU seconds of the generator and its threads. */
  cpuSeconds: number;
  wallSeconds: number;
}

/** CPU share of one core, in percent. */
export const cpuPct = (r: { cpuSeconds: number; wallSeconds: number }) =>
  (100 * r.cpuSeconds) / Math.max(0.001, r.wallSeconds);

/**
 * Runs a command through sh, whose `times` builtin then prints the CPU its children used:
 * exact, unlike sampling /proc/<pid>/stat of a process about to exit.
 */
export function runMeasured(cmd: string, args: string[]): Promise<GeneratorRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', '"$@" 2>&1; echo "#times"; times', 'sh', cmd, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', () => {
      const [stdout, times = ''] = out.split('#times\n');
      // Second line of `times`: user and system time of the children, e.g. "0m1.230s 0m0.450s".
      const m = [...(times.trim().split('\n')[1] ?? '').matchAll(/(\d+)m([\d.]+)s/g)];
      if (m.length < 2) return reject(new Error(`no CPU times for ${cmd}: ${out.slice(-300)}`));
      const cpuSeconds = m.slice(0, 2).reduce((s, x) => s + Number(x[1]) * 60 + Number(x[2]), 0);
      resolve({ stdout, cpuSeconds, wallSeconds: (performance.now() - started) / 1000 });
    });
  });
}

export const WRK = '/usr/bin/wrk';

export interface WrkResult {
  rps: number;
  requests: number;
  non2xx: number;
  /** Connect, read, write and timeout errors wrk counted. */
  socketErrors: number;
  /** Of those, requests unanswered after wrk's 2 s time-out. */
  timeouts: number;
  generatorCpuPct: number;
}

/** wrk against one URL after a 2 s warm-up; its CPU share comes with the figure. */
export async function wrk(
  url: string,
  seconds: number,
  o: { threads?: number; connections?: number; warmup?: boolean } = {},
): Promise<WrkResult> {
  const args = [`-t${o.threads ?? 2}`, `-c${o.connections ?? 64}`];
  if (o.warmup !== false) await runMeasured(WRK, [...args, '-d2s', url]);
  const r = await runMeasured(WRK, [...args, `-d${seconds}s`, url]);
  const socket = (/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout) ?? [])
    .slice(1)
    .map(Number);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
  if (!Number.isFinite(rps)) throw new Error(`wrk gave no figure: ${r.stdout.slice(-500)}`);
  return {
    rps,
    requests: Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0),
    socketErrors: socket.reduce((sum, n) => sum + n, 0),
    timeouts: socket[3] ?? 0,
    generatorCpuPct: cpuPct(r),
  };
}
