// Runs FreeRADIUS's radclient with a request file on stdin; resolves with its output
// whatever the exit code (it exits non-zero for "no reply" and for rejects).
import { spawn } from 'node:child_process';

export function radclient(
  target: string,
  type: 'auth' | 'acct' | 'disconnect' | 'coa',
  secret: string,
  input: string,
  extra: string[] = [],
): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('radclient', ['-r', '1', '-t', '1', '-x', ...extra, target, type, secret]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ out, code }));
    child.stdin.end(input);
  });
}
