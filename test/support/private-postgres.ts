// A PostgreSQL server of the test's own (initdb in a temp dir, a free port), so a test
// can stop and start it without touching the shared one. Runs as the postgres user when
// the test runs as root, as the server refuses to run as root.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { isRequired, requirements } from './env.ts';

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'pg_ctl')));
}

export const privatePostgresAvailable = () => Boolean(binDir());

/** A private server for a suite's before(): skips the suite where the binaries are missing, fails it where they are required. */
export async function privatePostgresFor(suite: Mocha.Context): Promise<PrivatePostgres> {
  if (!privatePostgresAvailable()) {
    if (isRequired(requirements.postgres))
      throw new Error('PostgreSQL server binaries are required (FOYER_REQUIRE_POSTGRES=1)');
    suite.skip();
  }
  return privatePostgres();
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface PrivatePostgres {
  url: string;
  start(): void;
  stop(): void;
  destroy(): void;
}

export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'foyer-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot)
    chownSync(
      dir,
      Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
      Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
    );
  const run = (cmd: string, args: string[]) => {
    const full = [join(bin, cmd), ...args];
    if (asRoot)
      execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', full.map((a) => `'${a}'`).join(' ')], { stdio: 'pipe' });
    else execFileSync(full[0], full.slice(1), { stdio: 'pipe' });
  };
  run('initdb', ['-D', data, '-U', 'foyer', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const ctl = (action: 'start' | 'stop') =>
    run(
      'pg_ctl',
      action === 'start'
        ? [
            '-D',
            data,
            '-w',
            '-l',
            join(dir, 'log'),
            '-o',
            `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
            'start',
          ]
        : ['-D', data, '-w', '-m', 'fast', 'stop'],
    );
  ctl('start');
  return {
    url: `postgres://foyer@127.0.0.1:${port}/postgres`,
    start: () => ctl('start'),
    stop: () => ctl('stop'),
    destroy() {
      try {
        ctl('stop');
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
