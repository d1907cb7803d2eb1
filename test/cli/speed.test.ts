// Issue 19.16: each `npx foyer …` took 3-6 s, most of it the TypeScript loader resolving
// and transforming every module again. The CLI is compiled once into .cache/ (rebuilt when
// a source changes) and runs from there: less CPU per call than through the loader.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../../portal/config.ts';

const BIN = fileURLToPath(new URL('../../portal/foyer.mjs', import.meta.url));

/** Runs the CLI and returns the CPU seconds (user + system) it used. */
function cpu(args: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-c', `TIMEFORMAT='%U %S'; { time node ${BIN} ${args} > /dev/null; } 2>&1`],
      { env: { ...process.env, LOG_LEVEL: 'silent', ...env } },
      (err, stdout) => {
        if (err) return reject(err);
        const [u, s] = stdout.trim().split('\n').pop()!.split(' ').map(Number);
        resolve(u + s);
      },
    );
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('foyer CLI compiled once', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'foyer-speed-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs from a bundle newer than every source, on less CPU than through the TypeScript loader', async () => {
    const env = { DATA_DIR: dir, DATABASE_URL: '', SECRET_KEY: '' };
    await cpu('migrate', env);
    const bundle = statSync(join(PROJECT_ROOT, '.cache', 'foyer-cli.mjs')).mtimeMs;
    for (const d of ['portal', 'radius']) {
      for (const f of readdirSync(join(PROJECT_ROOT, d), { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.ts'))) {
        assert.ok(statSync(join(PROJECT_ROOT, d, f)).mtimeMs <= bundle, `${d}/${f} is newer than the bundle`);
      }
    }
    const compiled: number[] = [];
    const loader: number[] = [];
    for (let i = 0; i < 3; i++) {
      compiled.push(await cpu('venue list', env));
      loader.push(await cpu('venue list', { ...env, FOYER_CLI_COMPILE: 'false' }));
    }
    assert.ok(
      median(compiled) < median(loader),
      `compiled ${compiled.join(', ')} s CPU, through tsx ${loader.join(', ')} s`,
    );
  });
});
