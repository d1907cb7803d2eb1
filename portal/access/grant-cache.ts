// Grant state on the auth path, kept so that a busy NAS (a device re-authenticating,
// several APs asking about one guest, retries after a time-out with a new identifier)
// costs a Map hit rather than a database round trip.
//
// Why it is safe to keep:
//  - In this process nothing is served stale: revoking a grant, renewing its window,
//    every accounting record that touches it (usage, sessions opened or closed) and a new
//    grant for the same device at the venue drop its entries, and a read that was under
//    way when that happened is not stored. The writers announce it themselves through
//    the context's AccessCaches (access-caches.ts), which holds this cache.
//  - Changes made elsewhere (a second instance, the CLI, a job) are written by the
//    database itself to the grant change feed, which grant-changes.ts reads about once a
//    second and which drops the grants it names. While that feed cannot be read the
//    cache answers nothing. Without a feed (tests), entries live `ttlMs`.
//  - Time limits are not cached: Session-Timeout and expiry are computed from the grant's
//    end at each request. The count of other devices online is kept only until the first
//    of them would go stale. Unknown users are not cached: a grant created a moment ago
//    works at once.
//  - Revocation and data caps also end sessions already online with a Disconnect-Request
//    (disconnect-request.ts, enforce.ts): nothing relies on the next Access-Request alone.
//  - A MAC-authentication entry also keeps its re-consent verdict (authorize.ts). It is
//    dropped when what it was made from changes: the venue's published wording or name
//    (grant-changes.ts venueChanged(), and a `venue:` row on the feed) or the person's consent at the venue
//    (every consent event, which the feed reads from the ledger: forgetSubject()).
import type { GrantState } from './grant-state.ts';

interface Entry {
  state: GrantState;
  expires: number;
}

export class GrantStateCache {
  private entries = new Map<string, Entry>();
  private keysByGrant = new Map<string, Set<string>>();
  /** Grant ids by person (subject, one per venue and number): a consent event for them drops their grants. */
  private grantsBySubject = new Map<string, Set<string>>();
  /** Bumped by every invalidation: a read that started before one must not be stored. */
  private epoch = 0;
  /** Entries are served only before this time: the change feed keeps moving it on (grant-changes.ts). */
  private trustedUntil = Infinity;

  constructor(
    readonly ttlMs = 1000,
    private maxEntries = 50_000,
    private clock: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** The epoch to hand back to set(): taken before the database read. */
  mark(): number {
    return this.epoch;
  }

  get(key: string): GrantState | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = this.clock();
    if (e.expires > now && now < this.trustedUntil) return e.state;
    this.remove(key, e);
    return undefined;
  }

  set(key: string, state: GrantState, epoch: number): void {
    if (!this.enabled || epoch !== this.epoch) return;
    const old = this.entries.get(key);
    if (old) this.remove(key, old);
    // The count of other devices online is right until the first of them goes stale.
    this.entries.set(key, { state, expires: Math.min(this.clock() + this.ttlMs, state.otherOpenUntil ?? Infinity) });
    let keys = this.keysByGrant.get(state.id);
    if (!keys) this.keysByGrant.set(state.id, (keys = new Set()));
    keys.add(key);
    if (state.subjectId) {
      let ids = this.grantsBySubject.get(state.subjectId);
      if (!ids) this.grantsBySubject.set(state.subjectId, (ids = new Set()));
      ids.add(state.id);
    }
    // Oldest first (insertion order): bounded however many users a flood names.
    if (this.entries.size > this.maxEntries) {
      const [k, e] = this.entries.entries().next().value!;
      this.remove(k, e);
    }
  }

  forgetGrant(grantId: string): void {
    this.epoch++;
    const keys = this.keysByGrant.get(grantId);
    if (!keys) return;
    for (const k of [...keys]) {
      const e = this.entries.get(k);
      if (e) this.remove(k, e);
    }
    this.keysByGrant.delete(grantId);
  }

  /** The person's consent at the venue changed (a consent event): their grants' verdicts are re-read. */
  forgetSubject(subjectId: string): void {
    this.epoch++;
    const ids = this.grantsBySubject.get(subjectId);
    if (ids) for (const id of [...ids]) this.forgetGrant(id);
  }

  forgetKey(key: string): void {
    this.epoch++;
    const e = this.entries.get(key);
    if (e) this.remove(key, e);
  }

  /** Serve entries until `until` (clock time) and no longer, unless trusted again before then. */
  trustUntil(until: number): void {
    this.trustedUntil = until;
  }

  clear(): void {
    this.epoch++;
    this.entries.clear();
    this.keysByGrant.clear();
    this.grantsBySubject.clear();
  }

  /** A policy being shut down: nothing kept (it is also taken off its AccessCaches). */
  close(): void {
    this.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(key: string, e: Entry): void {
    this.entries.delete(key);
    const keys = this.keysByGrant.get(e.state.id);
    if (keys) {
      keys.delete(key);
      if (keys.size) return;
      this.keysByGrant.delete(e.state.id);
    }
    if (!e.state.subjectId) return;
    const ids = this.grantsBySubject.get(e.state.subjectId);
    if (ids?.delete(e.state.id) && !ids.size) this.grantsBySubject.delete(e.state.subjectId);
  }
}

export const usernameKey = (username: string, mac: string | undefined) => `u\0${username}\0${mac ?? ''}`;
/** Keys made once per device and venue: a returning device's request builds no string (issue 18). Bounded like the cache. */
const MAC_KEYS = new Map<string, Map<string, string>>();

export function macKey(mac: string, venueId: string): string {
  let byMac = MAC_KEYS.get(venueId);
  if (!byMac) {
    if (MAC_KEYS.size >= 10_000) MAC_KEYS.clear();
    MAC_KEYS.set(venueId, (byMac = new Map()));
  }
  let key = byMac.get(mac);
  if (key === undefined) {
    if (byMac.size >= 50_000) byMac.clear();
    byMac.set(mac, (key = `m\0${mac}\0${venueId}`));
  }
  return key;
}
