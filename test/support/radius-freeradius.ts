// A private, unprivileged FreeRADIUS (Debian 3.2.1) for side-by-side benchmarks:
// a copy of /etc/freeradius/3.0 in a temp folder, stock default site on our ports,
// `files` users appended, threaded foreground mode (never -X). See BENCHMARKING.md.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadUser } from './radius-load.ts';

export const FREERADIUS_CONF = '/etc/freeradius/3.0';

export function freeradiusAvailable(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v freeradius'], { stdio: 'ignore' });
    return existsSync(FREERADIUS_CONF);
  } catch {
    return false;
  }
}

/** Removes every top-level `listen { ... }` block (braces balanced) from a site file. */
function withoutListenBlocks(site: string): string {
  let out = '';
  let i = 0;
  const re = /^\s*listen\s*\{/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(site))) {
    out += site.slice(i, m.index);
    let depth = 0;
    let j = m.index + m[0].length - 1;
    for (; j < site.length; j++) {
      if (site[j] === '{') depth++;
      else if (site[j] === '}' && --depth === 0) break;
    }
    i = j + 1;
    re.lastIndex = i;
  }
  return out + site.slice(i);
}

export interface FreeRadius {
  dir: string;
  stop(): Promise<void>;
}

export function startFreeRadius(o: {
  authPort: number;
  acctPort: number;
  innerPort: number;
  secret: string;
  users: LoadUser[];
}): FreeRadius {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-freeradius-'));
  execFileSync('cp', ['-a', `${FREERADIUS_CONF}/.`, dir]);
  execFileSync('mkdir', ['-p', join(dir, 'log'), join(dir, 'run')]);

  const conf = join(dir, 'radiusd.conf');
  writeFileSync(
    conf,
    readFileSync(conf, 'utf8')
      .replace(/^raddbdir = .*$/m, `raddbdir = ${dir}`)
      .replace(/^logdir = .*$/m, `logdir = ${dir}/log`)
      .replace(/^run_dir = .*$/m, `run_dir = ${dir}/run`)
      .replace(/^(\s*)(user|group) = /gm, '$1#$2 = '),
  );

  // Stock default site, with its listeners (1812, 1813, IPv6) replaced by ours on loopback.
  const sitePath = join(dir, 'sites-enabled', 'default');
  const site = readFileSync(sitePath, 'utf8');
  unlinkSync(sitePath); // a symlink into sites-available: write a real file instead
  const listen = `\n\tlisten {\n\t\ttype = auth\n\t\tipaddr = 127.0.0.1\n\t\tport = ${o.authPort}\n\t}\n\tlisten {\n\t\ttype = acct\n\t\tipaddr = 127.0.0.1\n\t\tport = ${o.acctPort}\n\t}\n`;
  writeFileSync(sitePath, withoutListenBlocks(site).replace(/^server default \{/m, `server default {${listen}`));

  const innerPath = join(dir, 'sites-enabled', 'inner-tunnel');
  const inner = readFileSync(innerPath, 'utf8');
  unlinkSync(innerPath);
  writeFileSync(innerPath, inner.replace(/port = 18120/, `port = ${o.innerPort}`));

  const clients = join(dir, 'clients.conf');
  writeFileSync(clients, readFileSync(clients, 'utf8').replace(/secret = testing123/, `secret = ${o.secret}`));

  const usersPath = join(dir, 'mods-config', 'files', 'authorize');
  const lines = o.users.map((u) => `"${u.name}" Cleartext-Password := "${u.password}"`).join('\n');
  writeFileSync(usersPath, `${lines}\n\n${readFileSync(usersPath, 'utf8')}`);

  const child: ChildProcess = spawn('freeradius', ['-f', '-d', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  child.on('exit', (code) => {
    if (code) process.stderr.write(`freeradius exited ${code}: ${stderr}\n${readLog(dir)}\n`);
  });
  return {
    dir,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(dir: string): string {
  const f = join(dir, 'log', 'radius.log');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-20).join('\n') : '';
}
