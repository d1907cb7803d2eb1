// What every command group shares: where output goes, and a context opened on the
// database Foyer runs with for the length of one command.
import { existsSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { buildContext, type AppContext } from '../context.ts';
import { FoyerError } from '../errors.ts';
import { findVenueBySlug } from '../venues/venues.ts';

export type Out = { log: (s: string) => void; err: (s: string) => void };
export type WithContext = <T>(fn: (ctx: AppContext) => Promise<T>, o?: { create?: boolean }) => Promise<T>;

/** What each command group's builder gets: the output and the context opener. */
export interface CliIo {
  out: Out;
  withContext: WithContext;
}

export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>, o: { create?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  // Only `migrate` makes a database: any other command finding none is pointed at the wrong
  // place (another DATA_DIR or DATABASE_URL), and a new empty one would only hide that.
  if (!o.create && config.databaseUrl.startsWith('/') && !existsSync(config.databaseUrl)) {
    throw new FoyerError(
      'no_database',
      400,
      `No database at ${config.databaseUrl}. Set DATABASE_URL or DATA_DIR to the one Foyer runs with, or create it with: npx foyer migrate`,
    );
  }
  // A person at a terminal is told the database is unreachable; only the server waits for it.
  const ctx = await buildContext(config, createLogger(process.env.LOG_LEVEL ?? 'warn'), { waitForDatabase: false });
  try {
    return await fn(ctx);
  } finally {
    await ctx.db.close();
  }
}

export async function venueBySlug(ctx: AppContext, slug: string) {
  const venue = await findVenueBySlug(ctx.db, slug);
  if (!venue) throw new FoyerError('venue_not_found', 404, `No venue with slug "${slug}". See: npx foyer venue list`);
  return venue;
}

/** An option parser that accepts only the listed values. */
export const oneOf = (allowed: readonly string[], what: string) => (v: string) => {
  if (!allowed.includes(v)) throw new InvalidArgumentError(`${what} must be one of: ${allowed.join(', ')}`);
  return v;
};
