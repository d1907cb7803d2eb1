// `npm test`: type-check, check formatting, then every mocha suite under test/ (benchmarks excluded).
// Says which suites are left out for want of chromium, radclient or PostgreSQL.
import Mocha from 'mocha';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { requirements, isRequired } from './support/env.ts';

function findTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'bench' && name !== 'fixtures' && name !== 'support') findTests(p, out);
    } else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// What the formatting check covers: the whole tree (Prettier, .prettierrc.json, less
// .prettierignore), as `npm run format:check` checks.
const FORMATTED = ['.'];

const only = process.argv.slice(2);
if (only.length === 0 || process.env.FOYER_TYPECHECK === '1') {
  console.log('type-checking (tsc --noEmit) ...');
  execFileSync('npx', ['tsc', '--noEmit'], { stdio: 'inherit' });
  console.log('checking formatting (prettier --check) ...');
  execFileSync('npx', ['prettier', '--check', ...FORMATTED], { stdio: 'inherit' });
}

const missing = Object.values(requirements).filter((r) => !r.available());
for (const r of missing) {
  if (isRequired(r)) continue; // the suites themselves fail loudly
  console.log(`note: suites that need ${r.name} are left out on this machine; to add them: ${r.howTo}`);
}

const mocha = new Mocha({
  timeout: 20000,
  reporter: process.env.MOCHA_REPORTER ?? 'spec',
  forbidOnly: true,
  forbidPending: process.env.CI === 'true',
});
const files = only.length ? only : findTests('test');
for (const f of files) mocha.addFile(f);
await mocha.loadFilesAsync();
const runner = mocha.run((failures) => {
  const s = runner.stats!;
  console.log(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
  process.exitCode = failures ? 1 : 0;
  // Servers left open by a broken test must not hang the run.
  setTimeout(() => process.exit(process.exitCode), 500).unref();
});
