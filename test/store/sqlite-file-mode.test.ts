// Issue 14: the SQLite database holds every guest's (encrypted) number and the whole
// ledger; like the secret key beside it, it and its -wal and -shm files are readable by
// their owner only, whatever the umask, and a database created 0644 by an older Foyer is
// tightened when opened.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../portal/store/open.ts';
import { migrate } from '../../portal/store/migrate.ts';
import { ledgerMigrationSteps } from '../../portal/consent/head.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';

const mode = (f: string) => (statSync(f).mode & 0o777).toString(8);

describe('SQLite file permissions', () => {
  let dir: string;
  const oldUmask = process.umask();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'foyer-mode-'));
    process.umask(0o022); // the usual one, under which files come out 0644
  });
  afterEach(() => {
    process.umask(oldUmask);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the database and its -wal and -shm files 0600', async () => {
    const file = join(dir, 'foyer.db');
    const db = await openDb(file);
    try {
      await migrate(db, ledgerMigrationSteps(deriveKeys('file-mode-test-key')));
      await db.run('UPDATE store_health SET written_at = 1 WHERE id = 1');
      for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(mode(f), '600', f);
    } finally {
      await db.close();
    }
  });

  it('tightens a database an older release created 0644', async () => {
    const file = join(dir, 'foyer.db');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const db = await openDb(file);
    try {
      await migrate(db, ledgerMigrationSteps(deriveKeys('file-mode-test-key')));
      for (const f of [file, `${file}-wal`, `${file}-shm`]) assert.equal(mode(f), '600', f);
    } finally {
      await db.close();
    }
  });
});
