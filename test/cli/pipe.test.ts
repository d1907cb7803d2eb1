// Issue 19.16: `npx foyer sessions list --all | head -1` crashed with EPIPE once head had
// read its line and gone. A reader that stops early is normal on a command line: the CLI
// stops writing and exits 0, with nothing on stderr.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { testContext, type TestContext } from '../support/context.ts';
import { createAccessPolicy } from '../../portal/access/policy.ts';
import { venueWithNas, acct, guestGrant } from '../access/fixtures.ts';

const BIN = fileURLToPath(new URL('../../portal/foyer.mjs', import.meta.url));

function shell(cmd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-o', 'pipefail', '-c', cmd],
      { env: { ...process.env, LOG_LEVEL: 'silent', ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('foyer CLI into a pipe that closes early', function () {
  this.timeout(120_000);
  let ctx: TestContext;
  let env: Record<string, string>;
  before(async () => {
    ctx = await testContext();
    env = {
      DATA_DIR: ctx.dir,
      DATABASE_URL: join(ctx.dir, 'foyer.db'),
      SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789',
    };
    const { venue, nas } = await venueWithNas(ctx, 'cafe');
    const policy = createAccessPolicy({ db: ctx.db, cipher: ctx.cipher, log: ctx.log });
    const g = await guestGrant(ctx, venue);
    for (let i = 0; i < 1500; i++)
      await policy.account(acct(nas, 'start', { sessionId: `s-${i}`, userName: g.username, class: g.id }));
  });
  after(() => ctx.cleanup());

  it('sessions list --all | head -1 prints the header and exits 0 without EPIPE', async () => {
    for (let round = 0; round < 3; round++) {
      const r = await shell(`node ${BIN} sessions list --all --limit 1500 | head -1`, env);
      assert.equal(r.stderr, '', `round ${round}`);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^id\tnas\tuser/);
    }
  });
});
