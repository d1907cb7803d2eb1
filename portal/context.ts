// The one context object: built once in main.ts (or by a test), handed to routes,
// capabilities and jobs. Plain values, no DI framework.
import type { Config } from './config.ts';
import type { Db } from './store/db.ts';
import type { Logger } from './log.ts';
import type { Keys } from './crypto/keys.ts';
import type { FieldCipher } from './crypto/fields.ts';
import type { Metrics } from './metrics.ts';
import type { Views } from './http/views.ts';
import { openDb } from './store/open.ts';
import { migrate } from './store/migrate.ts';
import { untilReachable } from './store/wait.ts';
import { databaseClock } from './store/clock.ts';
import { ledgerMigrationSteps } from './consent/head.ts';
import { deriveKeys, loadSecretKey } from './crypto/keys.ts';
import { fieldCipher } from './crypto/fields.ts';
import { createMetrics } from './metrics.ts';
import { createViews, TEMPLATES_DIR } from './http/views.ts';
import { localeStrings, translate } from './http/i18n.ts';
import { csrfToken } from './http/csrf.ts';
import { assetHrefs } from './guest/assets.ts';
import { phoneHint } from './guest/phone-hint.ts';
import { ConsentPages, type PageSources } from './consent/consent-page.ts';
import { createSmsGateway, type SmsService } from './sms/index.ts';
import { handleKeyword } from './sms/keyword-handler.ts';
import { createAccessPointState, type AccessPointState } from './access-points/process-state.ts';
import { attachAccessCaches, type AccessCaches } from './access/access-caches.ts';
import { CachedVenues } from './venues/cached-venues.ts';

export interface AppContext {
  config: Config;
  db: Db;
  log: Logger;
  keys: Keys;
  cipher: FieldCipher;
  metrics: Metrics;
  views: Views;
  /** ms since the epoch on the database's clock (store/clock.ts): every deadline that another process may check. */
  now: () => number;
  /** Send SMS through this (logged, retried); .inbound takes an InboundHandler. */
  sms: SmsService;
  /** access-points' in-memory state: the openNDS authmon queue, logged-in controller clients. */
  accessPoints: AccessPointState;
  /** The consent pages: page versions, rendering, evidence, and their caches (consent/consent-page.ts). */
  consentPages: ConsentPages;
  /** What access keeps in memory about this database; its write functions keep it right (access/access-caches.ts). */
  access: AccessCaches;
  /** Venues as the guest pages serve them, from memory (venues/cached-venues.ts). */
  venues: CachedVenues;
}

/** What the consent pages are made of, from the web layer's templates and locale files. */
export function consentPageSources(keys: Keys, dir = TEMPLATES_DIR): PageSources {
  return {
    templatesDir: dir,
    strings: (locale) => localeStrings(dir, locale),
    translate,
    assetHrefs,
    csrfToken: (flowId) => csrfToken(keys, flowId),
    phoneHint,
  };
}

/** `waitForDatabase: false` (the CLI): a database that cannot be reached fails at once instead of being waited for. */
export async function buildContext(
  config: Config,
  log: Logger,
  o: { waitForDatabase?: boolean } = {},
): Promise<AppContext> {
  const db = await openDb(config.databaseUrl, {
    poolMax: config.PG_POOL_MAX,
    sqliteReaders: config.SQLITE_READERS,
    log: (level, msg) => log[level](msg),
  });
  // Before migrating: migration 016 seals the ledger head with a key.
  const keys = deriveKeys(loadSecretKey(config.SECRET_KEY, config.DATA_DIR));
  try {
    if (o.waitForDatabase === false) await migrate(db, ledgerMigrationSteps(keys));
    else
      await untilReachable(() => migrate(db, ledgerMigrationSteps(keys)), {
        giveUpAfterMs: config.DATABASE_WAIT_SECONDS * 1000,
        log,
      });
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  const clock = await databaseClock(db, log);
  const close = db.close;
  db.close = () => (clock.stop(), close());
  const metrics = createMetrics(db);
  const sms = createSmsGateway(config, log, { db, keys, metrics, now: clock.now });
  const ctx: AppContext = {
    config,
    db,
    log,
    keys,
    cipher: fieldCipher(keys),
    metrics,
    views: createViews(),
    now: clock.now,
    sms,
    accessPoints: createAccessPointState(),
    consentPages: new ConsentPages(db, consentPageSources(keys)),
    access: attachAccessCaches(db),
    venues: new CachedVenues(db),
  };
  // Inbound SMS: STOP/START/HELP and venue keywords change consent and answer, in words
  // from the locale files (the keyword handler knows a translate function, not the views).
  const keywordDeps = { db, keys, cipher: ctx.cipher, log, now: clock.now, t: ctx.views.t };
  sms.inbound.setHandler({
    handle: async (msg) => {
      const outcome = await handleKeyword(keywordDeps, msg);
      return outcome.reply
        ? { reply: outcome.reply, purpose: `keyword-${outcome.action}`, venueId: outcome.venueIds[0] }
        : undefined;
    },
  });
  return ctx;
}
