import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foyer } from '../support/cli.ts';
import { openDb } from '../../portal/store/open.ts';

describe('foyer CLI', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'foyer-cli-'));
    env = { DATA_DIR: dir, DATABASE_URL: join(dir, 'foyer.db') };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates, then says the database is up to date', async () => {
    const first = await foyer(['migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /up to date|applied/);
    const again = await foyer(['migrate'], env);
    assert.match(again.stdout, /database is up to date/);
  });

  it('adds and lists venues, refusing a bad slug and a duplicate', async () => {
    const add = await foyer(
      ['venue', 'add', '--slug', 'cafe-central', '--name', 'Café Central', '--country', 'bg'],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /venue added: cafe-central \(Café Central, BG\)/);
    const list = await foyer(['venue', 'list'], env);
    assert.match(list.stdout, /^cafe-central\tCafé Central\tBG\t/m);
    const bad = await foyer(['venue', 'add', '--slug', 'Bad Slug!', '--name', 'X'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /slug: lower-case letters/);
    const dup = await foyer(['venue', 'add', '--slug', 'cafe-central', '--name', 'Again'], env);
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /already exists/);
  });

  it('adds, lists and removes a NAS; the secret is stored encrypted', async () => {
    const add = await foyer(
      ['nas', 'add', '--name', 'ap1', '--ip', '192.0.2.0/24', '--vendor', 'mikrotik', '--venue', 'cafe-central'],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    const secret = /shown once.*: (\S+)/.exec(add.stdout)![1];
    assert.ok(secret.length >= 16);
    const db = await openDb(env.DATABASE_URL);
    const row = await db.get<{ secret_enc: string }>('SELECT secret_enc FROM nas_clients WHERE name = ?', ['ap1']);
    await db.close();
    assert.ok(!row!.secret_enc.includes(secret));
    assert.match(
      (await foyer(['nas', 'list'], env)).stdout,
      /ap1\t192\.0\.2\.0\/24\tmikrotik\tmessage-authenticator required/,
    );

    const badIp = await foyer(
      ['nas', 'add', '--name', 'ap2', '--ip', '300.1.1.1', '--vendor', 'mikrotik', '--venue', 'cafe-central'],
      env,
    );
    assert.equal(badIp.code, 2);
    assert.match(badIp.stderr, /address: an IP address or CIDR/);
    const badVendor = await foyer(
      ['nas', 'add', '--name', 'ap2', '--ip', '192.0.2.1', '--vendor', 'acme', '--venue', 'cafe-central'],
      env,
    );
    assert.equal(badVendor.code, 2);
    assert.match(badVendor.stderr, /--vendor must be one of/);
    const noVenue = await foyer(
      ['nas', 'add', '--name', 'ap2', '--ip', '192.0.2.1', '--vendor', 'aruba', '--venue', 'nowhere'],
      env,
    );
    assert.equal(noVenue.code, 2);
    assert.match(noVenue.stderr, /No venue with slug "nowhere"/);

    assert.equal((await foyer(['nas', 'remove', 'ap1'], env)).code, 0);
    const gone = await foyer(['nas', 'remove', 'ap1'], env);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /No NAS named "ap1"/);
  });

  it('adds admin accounts with a role, refusing weak passwords and operators without a venue', async () => {
    const ok = await foyer(
      ['admin', 'add', '--email', 'Owner@Example.com', '--password', 'correct horse battery', '--role', 'owner'],
      env,
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /admin added: owner@example.com \(owner\)/);
    const weak = await foyer(
      ['admin', 'add', '--email', 'x@example.com', '--password', 'short', '--role', 'owner'],
      env,
    );
    assert.equal(weak.code, 2);
    assert.match(weak.stderr, /at least 12 characters/);
    const op = await foyer(
      ['admin', 'add', '--email', 'op@example.com', '--password', 'correct horse battery', '--role', 'operator'],
      env,
    );
    assert.equal(op.code, 2);
    assert.match(op.stderr, /operator needs at least one venue/);
    const op2 = await foyer(
      [
        'admin',
        'add',
        '--email',
        'op@example.com',
        '--password',
        'correct horse battery',
        '--role',
        'operator',
        '--venue',
        'cafe-central',
      ],
      env,
    );
    assert.equal(op2.code, 0, op2.stderr);
  });

  it('verifies the ledger and exports consents; a tampered ledger exits 1 naming the event', async () => {
    const db = await openDb(env.DATABASE_URL);
    const { deriveKeys, loadSecretKey } = await import('../../portal/crypto/keys.ts');
    const { fieldCipher } = await import('../../portal/crypto/fields.ts');
    const { signUp } = await import('../support/ledger-fixtures.ts');
    const keys = deriveKeys(loadSecretKey(undefined, dir));
    const venue = (await db.get<{ id: string }>(`SELECT id FROM venues WHERE slug = 'cafe-central'`))!;
    const ctxLike = { db, keys, cipher: fieldCipher(keys) } as never;
    await signUp(ctxLike, venue.id, '+359881234567');
    const [victim] = await signUp(ctxLike, venue.id, '+359887654321');

    const ok = await foyer(['ledger', 'verify'], env);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /ledger intact: 4 events/);

    const out = join(dir, 'export.csv');
    const exp = await foyer(
      ['consents', 'export', '--venue', 'cafe-central', '--format', 'csv', '--purpose', 'sms', '--out', out],
      env,
    );
    assert.equal(exp.code, 0, exp.stderr);
    const csv = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(csv.length, 3);
    assert.match(csv[1], /\+359881234567,sms,consent/);
    const json = await foyer(['consents', 'export', '--venue', 'cafe-central', '--format', 'json'], env);
    assert.equal(JSON.parse(json.stdout).length, 4);
    const badDate = await foyer(
      ['consents', 'export', '--venue', 'cafe-central', '--format', 'csv', '--since', 'yesterday-ish'],
      env,
    );
    assert.equal(badDate.code, 2);

    await db.run('DROP TRIGGER consent_events_no_update');
    await db.run(`UPDATE consent_events SET client_ip = '203.0.113.9' WHERE id = ?`, [victim.id]);
    await db.close();
    const broken = await foyer(['ledger', 'verify'], env);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, new RegExp(`event ${victim.id} .*altered`));
  });

  it('stops with a message naming a wrong configuration variable', async () => {
    const r = await foyer(['venue', 'list'], { ...env, PORT: 'eighty' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /PORT: /);
  });
});
