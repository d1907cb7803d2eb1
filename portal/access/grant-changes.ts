// Keeps a grant cache right across processes. The database records every change that
// can alter a grant's RADIUS answer in grant_changes (migration 011); this reads the
// recent ones about once a second and drops the grants they name. While the feed is
// read, cached grant state can live for minutes: a change made anywhere (another Foyer,
// the CLI, a job) reaches this process within about a second. When reading fails, the
// cache stops answering until a read succeeds again, and a gap longer than the window
// re-read each time empties it.
//
// Two more things change a MAC authentication's answer through its re-consent verdict
// (grant-cache.ts): a venue publishing new wording, written here as a `venue:<id>` row by
// the venues' own write functions (venueChanged()), which empties the cache; and a
// person's consent at a venue, which the ledger already records in order (appends are
// serialised, so seq is the commit order): the feed reads the consent events past the
// last one it saw and drops that person's grants. Nothing more is written per sign-up.
import type { Dialect, Queryable } from '../store/db.ts';
import type { Logger } from '../../radius/types.ts';
import type { GrantStateCache } from './grant-cache.ts';
import { announce, type AccessCaches } from './access-caches.ts';
import { consentEventsAfter, latestConsentSeq } from '../consent/event-feed.ts';

/** Each read covers this much of the past: a transaction's row becomes visible only at its commit. */
export const CHANGE_WINDOW_MS = 30_000;
/** Rows are kept this long, far past the window any read covers, then purged (jobs/purge-grant-changes.ts). */
export const CHANGE_KEEP_MS = 10 * 60_000;

const VENUE_ROW = 'venue:';
/** A NAS was added, changed or removed: every process re-reads its NAS tables (nas-list-cache.ts, the RADIUS client directory). */
const NAS_ROW = 'nas:';

/**
 * Milliseconds since the epoch on the database's clock, the clock the triggers of
 * migration 011 stamp rows with. Written out here, not imported: a migration is frozen
 * history, and live code reaching into it would tie the two together.
 */
const dbNowMs = (d: Dialect) =>
  d === 'sqlite'
    ? `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`
    : `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Rows older than CHANGE_KEEP_MS are dropped (jobs/purge-grant-changes.ts): no read covers them any more. */
export async function purgeGrantChanges(db: Queryable, now: number): Promise<number> {
  return (await db.run('DELETE FROM grant_changes WHERE at < ?', [now - CHANGE_KEEP_MS])).changes;
}

/**
 * A venue's wording or name changed (venues/venues.ts, venues/publish.ts, inside their
 * transaction): every process drops its cached grants, whose re-consent verdicts were made
 * against the old wording, and its venue settings. This process at once and again at the
 * commit (access-caches.ts), the others through the feed.
 */
export async function venueChanged(db: Queryable, venueId: string): Promise<void> {
  await db.run(`INSERT INTO grant_changes (grant_id, at) VALUES (?, ${dbNowMs(db.dialect)})`, [VENUE_ROW + venueId]);
  announce(db, (c) => c.venueChanged(venueId));
}

/** A NAS was added, changed or removed (nas-clients.ts's writes): this process at once, the others through the feed. */
export async function nasChanged(db: Queryable): Promise<void> {
  await db.run(`INSERT INTO grant_changes (grant_id, at) VALUES (?, ${dbNowMs(db.dialect)})`, [NAS_ROW]);
  announce(db, (c) => c.nasChanged());
}

export interface GrantChangeFeed {
  /** One read now (tests; the timer does the same). */
  poll(): Promise<void>;
  close(): void;
}

export function followGrantChanges(o: {
  db: Queryable;
  cache: GrantStateCache;
  log: Logger;
  now: () => number;
  intervalMs: number;
  caches?: AccessCaches;
}): GrantChangeFeed {
  const sql = `SELECT seq, grant_id FROM grant_changes WHERE at > ${dbNowMs(o.db.dialect)} - ${CHANGE_WINDOW_MS}`;
  let seen = new Set<number>();
  /** The last consent event read; undefined until the first read (which empties the cache anyway). */
  let consentSeq: number | undefined;
  let lastRead = -Infinity;
  let failing = false;
  let closed = false;
  // Nothing is served before the first read: changes made before it are unknown.
  o.cache.trustUntil(-Infinity);

  async function poll(): Promise<void> {
    const started = o.now();
    let rows: Array<{ seq: number | string; grant_id: string }>;
    let consents: { seq: number; subjectId: string | null }[];
    try {
      rows = await o.db.all(sql);
      consents =
        consentSeq === undefined
          ? [{ seq: await latestConsentSeq(o.db), subjectId: null }]
          : await consentEventsAfter(o.db, consentSeq);
    } catch (err) {
      if (closed) return; // the database was closed under a read at shutdown
      if (!failing)
        o.log.warn(
          { err },
          'grant changes unreadable: RADIUS reads every grant from the database until they are readable again',
        );
      failing = true;
      return;
    }
    if (failing) o.log.info({}, 'grant changes readable again');
    failing = false;
    // A read that missed part of the window cannot say what changed in between.
    if (started - lastRead > CHANGE_WINDOW_MS / 2) {
      o.cache.clear();
      o.caches?.nasChanged();
    }
    const now = new Set<number>();
    for (const r of rows) {
      const seq = Number(r.seq);
      now.add(seq);
      if (seen.has(seq)) continue;
      if (r.grant_id.startsWith(VENUE_ROW)) o.cache.clear();
      else if (r.grant_id === NAS_ROW) o.caches?.nasChanged();
      else o.cache.forgetGrant(r.grant_id);
    }
    for (const c of consents) {
      if (c.subjectId) o.cache.forgetSubject(c.subjectId);
      consentSeq = Math.max(consentSeq ?? 0, c.seq);
    }
    seen = now; // what left the window cannot come back
    lastRead = started;
    o.cache.trustUntil(started + 2 * o.intervalMs);
  }

  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= poll().finally(() => (running = undefined));
  }, o.intervalMs);
  timer.unref();
  running = poll().finally(() => (running = undefined));

  return {
    async poll() {
      await running;
      await (running = poll().finally(() => (running = undefined)));
    },
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
