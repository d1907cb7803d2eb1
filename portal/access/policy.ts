// The Authorizer radius/ asks about every Access-Request and Accounting-Request.
import type { Db } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import type { AccessRequest, AccountingRecord, Authorizer, Logger } from '../../radius/types.ts';
import { authorize } from './authorize.ts';
import { account } from './accounting.ts';
import { enforceLimits } from './enforce.ts';
import type { Disconnector } from './disconnect-request.ts';
import { VenueSettingsCache } from './venue-cache.ts';
import { GrantStateCache } from './grant-cache.ts';
import type { GrantState } from './grant-state.ts';
import { followGrantChanges } from './grant-changes.ts';
import { PasswordCache } from './password-cache.ts';
import { accessCachesOf, AccessCaches } from './access-caches.ts';

export interface AccessPolicyDeps {
  db: Db;
  cipher: FieldCipher;
  log: Logger;
  now?: () => number;
  /** Sends Disconnect-Requests; without one, limits are enforced at the next authorisation only. */
  disconnect?: Disconnector;
  venueCacheMs?: number;
  /** How long grant state is reused on the auth path (grant-cache.ts); 0 or absent: not at all. */
  grantCacheMs?: number;
  /**
   * How often the grant change feed is read (grant-changes.ts), which lets the cache keep
   * grant state for all of grantCacheMs whoever changes it; absent: no feed, and only this
   * process's own changes reach the cache.
   */
  grantChangesMs?: number;
  outdatedConsents?: (grant: GrantState) => Promise<string[]>;
  /**
   * Where access's write functions tell this policy's caches what changed: the context's
   * (buildContext attaches them to its database). Absent: the database's, else the policy's own.
   */
  caches?: AccessCaches;
}

export interface AccessPolicy extends Authorizer {
  /** Resolves when the enforcement started by earlier accounting has finished (tests, shutdown). */
  settled(): Promise<void>;
  /** Stops caching (shutdown). */
  close(): void;
}

export function createAccessPolicy(d: AccessPolicyDeps): AccessPolicy {
  const now = d.now ?? Date.now;
  const venues = new VenueSettingsCache(d.db, d.venueCacheMs ?? 10_000, now);
  const grants = new GrantStateCache(d.grantCacheMs ?? 0, 50_000, now);
  const caches = d.caches ?? accessCachesOf(d.db) ?? new AccessCaches();
  caches.venues.add(venues);
  if (grants.enabled) caches.grants.add(grants);
  const feed =
    grants.enabled && d.grantChangesMs
      ? followGrantChanges({ db: d.db, cache: grants, log: d.log, now, intervalMs: d.grantChangesMs, caches })
      : undefined;
  const deps = {
    db: d.db,
    cipher: d.cipher,
    log: d.log,
    now,
    venues,
    grants,
    passwords: new PasswordCache(d.cipher),
    outdatedConsents: d.outdatedConsents,
  };
  const pending = new Set<Promise<unknown>>();

  return {
    authorize: (req: AccessRequest) => authorize(deps, req),

    async account(rec: AccountingRecord) {
      let session;
      try {
        session = await account(deps, rec);
      } finally {
        // Usage and open sessions changed (or may have, if storing failed half-way).
        if (rec.status === 'accounting-on' || rec.status === 'accounting-off') grants.clear();
        else forget(grants, rec.class);
      }
      if (session?.grantId) grants.forgetGrant(session.grantId);
      const disconnect = d.disconnect;
      if (!session || !disconnect || rec.status !== 'interim') return;
      // After the response: a slow or silent NAS must not hold up accounting.
      const p = enforceLimits({ ...deps, disconnect }, session)
        .catch((err) => d.log.error({ err, session: session.id }, 'enforcing limits failed'))
        .finally(() => pending.delete(p));
      pending.add(p);
    },

    close() {
      feed?.close();
      caches.grants.delete(grants);
      caches.venues.delete(venues);
      grants.close();
    },

    async settled() {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}

/** Class carries the grant id; the session stored says it for NAS that drop Class. */
function forget(grants: GrantStateCache, cls: string | undefined): void {
  const id = cls?.trim().toLowerCase();
  if (id) grants.forgetGrant(id);
}
