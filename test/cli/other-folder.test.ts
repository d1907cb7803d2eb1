// Issue 19.15: a new admin runs `npx foyer …` from their home folder. It must find the
// project's database (relative paths mean the project's), and a command other than
// `migrate` that finds no database says so instead of making an empty one there.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foyer } from '../support/cli.ts';
import { loadConfig, PROJECT_ROOT } from '../../portal/config.ts';

describe('foyer CLI run from another folder', function () {
  this.timeout(60_000);
  let elsewhere: string;
  let data: string;
  beforeEach(() => {
    elsewhere = mkdtempSync(join(tmpdir(), 'foyer-home-'));
    data = mkdtempSync(join(tmpdir(), 'foyer-data-'));
  });
  afterEach(() => {
    rmSync(elsewhere, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  it('resolves the default and relative DATA_DIR against the project, not the current folder', () => {
    assert.equal(loadConfig({}).DATA_DIR, join(PROJECT_ROOT, 'data'));
    assert.equal(loadConfig({ DATA_DIR: 'var/x' }).databaseUrl, join(PROJECT_ROOT, 'var/x/foyer.db'));
    assert.equal(loadConfig({ DATABASE_URL: 'db/f.db' }).databaseUrl, join(PROJECT_ROOT, 'db/f.db'));
    assert.ok(existsSync(join(PROJECT_ROOT, 'package.json')));
  });

  it('with no DATA_DIR set, creates nothing in the folder it is run from', async () => {
    const r = await foyer(['venue', 'list'], { DATA_DIR: '', DATABASE_URL: '', SECRET_KEY: '' }, { cwd: elsewhere });
    assert.deepEqual(readdirSync(elsewhere), [], 'no ./data where the command ran');
    // The project's database if this checkout has one, else a refusal naming where it looked.
    if (r.code !== 0)
      assert.match(
        r.stderr,
        new RegExp(`No database at ${join(PROJECT_ROOT, 'data', 'foyer.db').replace(/[/.]/g, '\\$&')}`),
      );
  });

  it('refuses a command on a missing database, naming it and how to create it, and writes no key', async () => {
    const r = await foyer(['nas', 'list'], { DATA_DIR: data, DATABASE_URL: '', SECRET_KEY: '' }, { cwd: elsewhere });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /No database at .*foyer\.db\. Set DATABASE_URL or DATA_DIR .* npx foyer migrate/);
    assert.deepEqual(readdirSync(data), [], 'no empty database, no new secret key');
    assert.deepEqual(readdirSync(elsewhere), []);
  });

  it('migrate creates it; later commands from any folder use it', async () => {
    const m = await foyer(['migrate'], { DATA_DIR: data, DATABASE_URL: '', SECRET_KEY: '' }, { cwd: elsewhere });
    assert.equal(m.code, 0, m.stderr);
    const add = await foyer(
      ['venue', 'add', '--slug', 'cafe', '--name', 'Cafe'],
      { DATA_DIR: data, DATABASE_URL: '', SECRET_KEY: '' },
      { cwd: tmpdir() },
    );
    assert.equal(add.code, 0, add.stderr);
    const list = await foyer(
      ['venue', 'list'],
      { DATA_DIR: data, DATABASE_URL: '', SECRET_KEY: '' },
      { cwd: elsewhere },
    );
    assert.match(list.stdout, /^cafe\tCafe\t/m);
    assert.ok(existsSync(join(data, 'secret.key')));
    assert.deepEqual(readdirSync(elsewhere), []);
  });
});
