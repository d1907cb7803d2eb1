// The one place configuration enters: environment variables, validated with zod.
// A wrong value stops start-up with a message naming the variable and what is allowed.
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { smsConfigSchema, smsConfigProblems } from './sms/config.ts';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const port = z.coerce.number().int().min(0).max(65535);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** HTTP port of the portal and admin pages. */
  PORT: port.default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Base URL guests and NAS reach Foyer at; used in SMS texts and NAS setup guides. */
  PUBLIC_URL: z.url().optional(),
  RADIUS_AUTH_PORT: port.default(1812),
  RADIUS_ACCT_PORT: port.default(1813),
  /** '::' listens on IPv6 and IPv4. */
  RADIUS_HOST: z.string().default('::'),
  /** Milliseconds grant state is reused on the RADIUS auth path (portal/access/grant-cache.ts); 0 turns it off. */
  RADIUS_GRANT_CACHE_MS: z.coerce.number().int().min(0).max(3_600_000).default(600_000),
  /** postgres://… or a SQLite file path. */
  DATABASE_URL: z.string().optional(),
  /** Relative paths are relative to the project folder, not to where a command is run (projectPath). */
  DATA_DIR: z.string().default('./data'),
  /**
   * Seconds to keep trying a database that cannot be reached at start (PostgreSQL started
   * after Foyer on a reboot), every 2 s; 0 waits as long as it takes.
   */
  DATABASE_WAIT_SECONDS: z.coerce.number().int().min(0).max(86_400).default(0),
  /** PostgreSQL connections per process. */
  PG_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  /** SQLite read-only connections beside the writer (WAL lets them read in parallel). */
  SQLITE_READERS: z.coerce.number().int().min(1).max(4).default(2),
  /** Keys every HMAC, cookie signature and field encryption; generated into DATA_DIR when unset. */
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  SMS_GATEWAY: z.enum(['console', 'http', 'smpp', 'twilio']).optional(),
  SMS_OUTBOX: z.string().optional(),
  ...smsConfigSchema,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Trust X-Forwarded-For / -Proto only behind a reverse proxy you run. */
  TRUST_PROXY: bool.default(false),
  /** Bearer token for GET /metrics; without it /metrics answers only METRICS_ALLOW addresses. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Comma-separated addresses or CIDRs allowed to read /metrics without a token. */
  METRICS_ALLOW: z.string().default('127.0.0.1/32,::1/128'),
  /** Seed the demo venue on an empty database. */
  DEMO_SEED: bool.default(true),
  /** Run the scheduled jobs in this process. */
  JOBS: bool.default(true),
});

export type Config = z.infer<typeof configSchema> & {
  databaseUrl: string;
  smsGateway: 'console' | 'http' | 'smpp' | 'twilio';
  smsOutbox: string;
};

/** The folder holding package.json: where `npm start` runs and `./data` lives. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * A relative path in the configuration means the project's, wherever the command runs:
 * `npx foyer venue list` from another folder must find the same database as `npm start`,
 * not make a new empty one (and a new secret key) in that folder.
 */
export const projectPath = (p: string): string => (isAbsolute(p) ? p : resolve(PROJECT_ROOT, p));

const isSqlitePath = (url: string) => !/^postgres(ql)?:\/\//.test(url) && url !== ':memory:';

export class ConfigError extends Error {
  readonly code = 'config_invalid';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = { ...parsed.data, DATA_DIR: projectPath(parsed.data.DATA_DIR) };
  if (c.NODE_ENV === 'production' && !c.SMS_GATEWAY) {
    throw new ConfigError('Invalid configuration:\n  SMS_GATEWAY: required in production (http, smpp or twilio)');
  }
  const smsProblems = smsConfigProblems(c);
  if (smsProblems.length)
    throw new ConfigError(`Invalid configuration:\n${smsProblems.map((p) => `  ${p}`).join('\n')}`);
  return {
    ...c,
    databaseUrl: c.DATABASE_URL
      ? isSqlitePath(c.DATABASE_URL)
        ? projectPath(c.DATABASE_URL.replace(/^sqlite:(\/\/)?/, ''))
        : c.DATABASE_URL
      : `${c.DATA_DIR}/foyer.db`,
    smsGateway: c.SMS_GATEWAY ?? 'console',
    smsOutbox: projectPath(c.SMS_OUTBOX ?? `${c.DATA_DIR}/sms-outbox.jsonl`),
  };
}
