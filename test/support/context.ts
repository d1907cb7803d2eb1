// A real, fresh database per test suite: a SQLite file in a temp dir, or a new
// PostgreSQL schema on FOYER_TEST_POSTGRES_URL (dropped afterwards).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../portal/config.ts';
import { createLogger } from '../../portal/log.ts';
import { buildContext, type AppContext } from '../../portal/context.ts';
import { postgresUrl } from './env.ts';

export interface TestContext extends AppContext {
  dir: string;
  cleanup(): Promise<void>;
}

export type Backend = 'sqlite' | 'postgres';

/**
 * A scratch folder for a test's own Foyer processes (data, outboxes) and its database for
 * `backend`: a SQLite file in the folder, or a fresh PostgreSQL schema. remove() drops both.
 */
export interface Scratch {
  dir: string;
  dbUrl: string;
  remove(): Promise<void>;
}

export async function scratchDatabase(backend: Backend, name: string): Promise<Scratch> {
  const dir = mkdtempSync(join(tmpdir(), `foyer-${name}-`));
  const pg = backend === 'postgres' ? await freshPostgresUrl() : undefined;
  return {
    dir,
    dbUrl: pg?.url ?? join(dir, 'foyer.db'),
    async remove() {
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates an empty schema and returns a URL whose connections use it. */
export async function freshPostgresUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = postgresUrl();
  if (!base) throw new Error('FOYER_TEST_POSTGRES_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

export async function testContext(
  opts: { backend?: Backend; env?: Record<string, string> } = {},
): Promise<TestContext> {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-test-'));
  const pgDb = opts.backend === 'postgres' ? await freshPostgresUrl() : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dir,
    DATABASE_URL: pgDb?.url ?? join(dir, 'foyer.db'),
    SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    JOBS: 'false',
    ...opts.env,
  });
  const ctx = await buildContext(config, createLogger(config.LOG_LEVEL));
  return {
    ...ctx,
    dir,
    async cleanup() {
      await ctx.db.close().catch(() => undefined);
      await pgDb?.drop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
