// Which outside parts this machine has. A suite that needs one skips when it is
// missing, unless the matching FOYER_REQUIRE_* is 1 (CI), when it fails instead.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Requirement {
  name: string;
  available: () => boolean;
  requireVar: string;
  howTo: string;
}

export const requirements = {
  chromium: {
    name: 'chromium',
    available: () => existsSync(CHROMIUM_PATH),
    requireVar: 'FOYER_REQUIRE_CHROMIUM',
    howTo: 'apt-get install -y chromium (or set CHROMIUM_PATH)',
  },
  radclient: {
    name: 'radclient',
    available: () => onPath('radclient'),
    requireVar: 'FOYER_REQUIRE_RADCLIENT',
    howTo: 'apt-get install -y freeradius-utils',
  },
  postgres: {
    name: 'postgres',
    available: () => Boolean(process.env.FOYER_TEST_POSTGRES_URL),
    requireVar: 'FOYER_REQUIRE_POSTGRES',
    howTo: 'start PostgreSQL and set FOYER_TEST_POSTGRES_URL=postgres://user:pass@127.0.0.1/foyer_test',
  },
} satisfies Record<string, Requirement>;

export function isRequired(r: Requirement): boolean {
  return process.env[r.requireVar] === '1';
}

/**
 * Call at the top of a describe() callback that needs an outside part:
 *   before(function () { needs(this, requirements.chromium); });
 */
export function needs(ctx: Mocha.Context, r: Requirement): void {
  if (r.available()) return;
  if (isRequired(r)) throw new Error(`${r.name} is required (${r.requireVar}=1) but missing: ${r.howTo}`);
  ctx.skip();
}

export const postgresUrl = (): string | undefined => process.env.FOYER_TEST_POSTGRES_URL;
