// Grant state on the auth path, kept so that a busy NAS (a device re-authenticating,
// several APs asking about one guest, retries after a time-out with a new identifier)
// costs a Map hit rather than a database round trip.
//
// Why it is safe to keep:
//  - In this process nothing is served stale: revoking a grant, renewing its window,
//    every accounting record that touches it (usage, sessions opened or closed) and a new
//    grant for the same device at the venue drop its entries, and a read that was under
//    way when that happened is not stored.
//  - Changes made elsewhere (a second instance, the CLI, a job) are written by the
//    database itself to the grant change feed, which grant-changes.ts reads about once a
//    second and which drops the grants it names. While that feed cannot be read the
//    cache answers nothing. Without a feed (tests), entries live `ttlMs`.
//  - Time limits are not cached: Session-Timeout and expiry are computed from the grant's
//    end at each request. The count of other devices online is kept only until the first
//    of them would go stale. Unknown users are not cached: a grant created a moment ago
//    works at once.
//  - Revocation and data caps also end sessions already online with a Disconnect-Request
//    (disconnect.ts, enforce.ts): nothing relies on the next Access-Request alone.
//  - A MAC-authentication entry also keeps its re-consent verdict (authorize.ts). It is
//    dropped when what it was made from changes: the venue's published wording or name
//    (venueChanged(), and a `venue:` row on the feed) or the person's consent at the venue
//    (every consent event, which the feed reads from the ledger: forgetPerson()).
import type { GrantState } from './grant-state.ts';

interface Entry {
  state: GrantState;
  expires: number;
}

const caches = new Set<GrantStateCache>();

/** Something changed a grant in this process (revoked, renewed): every cache forgets it. */
export function grantChanged(grantId: string): void {
  for (const c of caches) c.forgetGrant(grantId);
}

/** A venue's wording or name changed: every re-consent verdict may be wrong now, so every cache starts over (rare). */
export function venueWordingChanged(): void {
  for (const c of caches) c.clear();
}

/** A device has a new grant at a venue: its MAC authentication there must read it. */
export function deviceGranted(mac: string, venueId: string): void {
  for (const c of caches) c.forgetKey(macKey(mac, venueId));
}

export class GrantStateCache {
  private entries = new Map<string, Entry>();
  private keysByGrant = new Map<string, Set<string>>();
  /** Grant ids by venue and person (personKey): a consent event for them drops their grants. */
  private grantsByPerson = new Map<string, Set<string>>();
  /** Bumped by every invalidation: a read that started before one must not be stored. */
  private epoch = 0;
  /** Entries are served only before this time: the change feed keeps moving it on (grant-changes.ts). */
  private trustedUntil = Infinity;

  constructor(
    readonly ttlMs = 1000,
    private maxEntries = 50_000,
    private clock: () => number = Date.now,
  ) {
    if (ttlMs > 0) caches.add(this);
  }

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
      const pk = personKey(state.venueId, state.subjectId);
      let ids = this.grantsByPerson.get(pk);
      if (!ids) this.grantsByPerson.set(pk, (ids = new Set()));
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
  forgetPerson(venueId: string, subjectId: string): void {
    this.epoch++;
    const ids = this.grantsByPerson.get(personKey(venueId, subjectId));
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
    this.grantsByPerson.clear();
  }

  /** Stops receiving grantChanged() (a policy being shut down). */
  close(): void {
    caches.delete(this);
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
    const pk = personKey(e.state.venueId, e.state.subjectId);
    const ids = this.grantsByPerson.get(pk);
    if (ids?.delete(e.state.id) && !ids.size) this.grantsByPerson.delete(pk);
  }
}

export const usernameKey = (username: string, mac: string | undefined) => `u\0${username}\0${mac ?? ''}`;
export const macKey = (mac: string, venueId: string) => `m\0${mac}\0${venueId}`;
const personKey = (venueId: string, subjectId: string) => `${venueId}\0${subjectId}`;
