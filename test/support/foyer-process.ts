// Foyer as its own process, started the way `npm start` starts it, so a test can kill it
// with SIGKILL and start it again on the same ports and database.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { START_ARGS } from './npm-start.ts';

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4').bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export interface FoyerProcess {
  url: string;
  authPort: number;
  acctPort: number;
  output: string[];
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  running(): boolean;
  /** Resident memory of the process in bytes (Linux /proc), or 0 when not running. */
  rss(): number;
  /** The process id while running (benches read its CPU from /proc). */
  pid(): number | undefined;
}

export async function foyerProcess(env: Record<string, string>): Promise<FoyerProcess> {
  const port = await freeTcpPort();
  const authPort = await freeUdpPort();
  const acctPort = await freeUdpPort();
  let child: ChildProcess | undefined;
  const output: string[] = [];
  const url = `http://127.0.0.1:${port}`;
  const p: FoyerProcess = {
    url,
    authPort,
    acctPort,
    output,
    async start() {
      child = spawn(process.execPath, [...START_ARGS], {
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          RADIUS_AUTH_PORT: String(authPort),
          RADIUS_ACCT_PORT: String(acctPort),
          RADIUS_HOST: '127.0.0.1',
          FOYER_QUIET: '1',
          LOG_LEVEL: 'warn',
          DEMO_SEED: 'false',
          JOBS: 'false',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const c = child;
      c.stdout!.on('data', (d) => output.push(String(d)));
      c.stderr!.on('data', (d) => output.push(String(d)));
      const until = Date.now() + 60_000;
      for (;;) {
        if (c.exitCode !== null) throw new Error(`Foyer exited with ${c.exitCode}:\n${output.join('')}`);
        try {
          const r = await fetch(`${url}/healthz`);
          if (r.ok) return;
        } catch {
          /* not listening yet */
        }
        if (Date.now() > until) throw new Error(`Foyer did not start in 60 s:\n${output.join('')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill(signal = 'SIGKILL') {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill(signal);
      await exited;
    },
    running: () => Boolean(child && child.exitCode === null && child.signalCode === null),
    pid: () => (p.running() ? child?.pid : undefined),
    rss() {
      if (!child?.pid || !p.running()) return 0;
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return m ? Number(m[1]) * 1024 : 0;
      } catch {
        return 0;
      }
    },
  };
  return p;
}
