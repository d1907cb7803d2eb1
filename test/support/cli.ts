// Runs `foyer` as a user would: a separate process through portal/foyer.mjs, from the
// project folder unless the test says where (cwd).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../portal/foyer.mjs', import.meta.url));

export function foyer(
  args: string[],
  env: Record<string, string>,
  o: { cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: o.cwd, env: { ...process.env, LOG_LEVEL: 'silent', ...env } },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
