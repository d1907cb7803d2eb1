import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, maskNumber } from '../../portal/log.ts';
import { loadConfig } from '../../portal/config.ts';
import { START_ARGS } from '../support/npm-start.ts';

describe('npm start', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'foyer-start-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the data folder, seeds the demo venue, serves /healthz and stops cleanly on SIGTERM', async () => {
    const data = join(dir, 'data');
    const child = spawn(process.execPath, [...START_ARGS], {
      env: {
        ...process.env,
        DATA_DIR: data,
        DATABASE_URL: '',
        PORT: '0',
        HOST: '127.0.0.1',
        RADIUS_AUTH_PORT: '0',
        RADIUS_ACCT_PORT: '0',
        RADIUS_HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const base = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no start within 30 s:\n${out}`)), 30_000);
      child.stdout.on('data', () => {
        const m = /Guest portal:\s+(http:\/\/\S+)\/p\/demo/.exec(out);
        if (m) (clearTimeout(t), resolve(m[1]));
      });
    });
    assert.match(out, /Admin:\s+http/);
    assert.match(out, /npx foyer nas add/);
    const res = await fetch(`${base}/healthz`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).database.reachable, true);
    assert.ok(existsSync(join(data, 'foyer.db')));
    assert.equal(statSync(join(data, 'secret.key')).mode & 0o777, 0o600);
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
    assert.match(out, /Foyer stopped/);
  });

  it('is how the systemd unit and the container run Foyer too: the same Node flags', () => {
    assert.ok(
      START_ARGS.includes('--single-threaded-gc'),
      'npm start keeps garbage collection on the main thread (README: Running on a small machine)',
    );
    assert.ok(
      START_ARGS.includes('--min-semi-space-size=16'),
      'npm start starts the young generation at 16 MB (README: Running on a small machine)',
    );
    const unit = /^ExecStart=\/usr\/bin\/node (.+)$/m.exec(readFileSync('deploy/systemd/foyer.service', 'utf8'));
    assert.deepEqual(unit?.[1].split(' '), START_ARGS);
    const cmd = /^CMD (\[.+\])$/m.exec(readFileSync('deploy/container/Containerfile', 'utf8'));
    assert.deepEqual(JSON.parse(cmd![1]), ['node', ...START_ARGS]);
  });
});

describe('logs and configuration', () => {
  it('masks phone numbers', () => {
    assert.equal(maskNumber('+359881234567'), '+35988****567');
    assert.equal(maskNumber(''), '');
  });

  it('never writes secrets, codes or passwords', () => {
    let line = '';
    const log = createLogger(
      'info',
      new Writable({
        write(c, _e, cb) {
          line += c;
          cb();
        },
      }) as never,
    );
    log.info(
      {
        code: '123456',
        secret: 's3cret',
        password: 'hunter22',
        nas: { secret: 'x1' },
        to: maskNumber('+359881234567'),
      },
      'sent',
    );
    assert.doesNotMatch(line, /123456|s3cret|hunter22|x1"/);
    assert.match(line, /\+35988\*\*\*\*567/);
  });

  it('names the variable and what is allowed', () => {
    assert.throws(() => loadConfig({ RADIUS_AUTH_PORT: '70000' }), /RADIUS_AUTH_PORT/);
    assert.throws(() => loadConfig({ SMS_GATEWAY: 'pigeon' }), /SMS_GATEWAY: .*console/);
    assert.throws(() => loadConfig({ SECRET_KEY: 'short' }), /SECRET_KEY: must be at least 32 characters/);
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /SMS_GATEWAY: required in production/);
    const c = loadConfig({ DATA_DIR: '/tmp/x' });
    assert.equal(c.databaseUrl, '/tmp/x/foyer.db');
    assert.equal(c.smsOutbox, '/tmp/x/sms-outbox.jsonl');
    assert.equal(c.PORT, 8080);
  });
});

describe('a SECRET_KEY other than the one that wrote the data', () => {
  it('is reported as an outage to fix, not a crash', async () => {
    const { deriveKeys } = await import('../../portal/crypto/keys.ts');
    const { fieldCipher } = await import('../../portal/crypto/fields.ts');
    const stored = fieldCipher(deriveKeys('the-key-that-wrote-it-0123456789abcdef')).encrypt('+359881234567');
    assert.throws(
      () => fieldCipher(deriveKeys('another-key-entirely-0123456789abcdef')).decrypt(stored),
      (e: unknown) => (e as { code?: string }).code === 'unavailable' && /SECRET_KEY/.test((e as Error).message),
    );
  });
});
