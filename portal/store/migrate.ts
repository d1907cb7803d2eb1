// Versioned migrations: every file NNN_name.ts in ./migrations, applied once, in order,
// each in its own transaction, serialised across processes that start together.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';
import type { Migration, MigrationSteps } from './migrations/sql.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function loadMigrations(): Promise<Migration[]> {
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.ts$/.test(f))
    .sort();
  // A relative template, so that the compiled CLI (portal/cli-compiled.mjs) bundles every migration.
  const mods = await Promise.all(files.map((f) => import(`./migrations/${f}`)));
  return mods.map((m) => m.default as Migration);
}

export async function migrate(db: Db, steps: MigrationSteps = {}): Promise<string[]> {
  const applied: string[] = [];
  await db.tx(async (tx) => {
    await tx.lock('migrations');
    await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
    await tx.run('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    await tx.run(`INSERT INTO meta (key, value) VALUES ('schema', '0') ON CONFLICT (key) DO NOTHING`);
  });
  for (const m of await loadMigrations()) {
    await db.tx(async (tx) => {
      await tx.lock('migrations');
      if (await tx.get('SELECT id FROM schema_migrations WHERE id = ?', [m.id])) return;
      const step = steps[m.id];
      if (m.needsStep && !step)
        throw new Error(
          `migration_step_missing: migration ${m.id} is finished with SECRET_KEY: run it through \`npx foyer migrate\` or Foyer's start`,
        );
      for (const stmt of m.up(db.dialect)) await tx.run(stmt);
      await step?.(tx);
      await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [m.id, Date.now()]);
      await tx.run(`UPDATE meta SET value = ? WHERE key = 'schema'`, [m.id]);
      applied.push(m.id);
    });
  }
  return applied;
}
