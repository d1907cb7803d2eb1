// What access keeps in memory is kept per database, never per module: buildContext
// attaches one AccessCaches to the database it opens, the RADIUS policy and the NAS
// directory made for that context register their caches with it, and access's own write
// functions (revoke, block, new grant, window renewal, venue wording, NAS add/change/
// remove) announce what they changed through the Queryable they were given. So no caller
// can forget to invalidate (the writer does it), and two test contexts in one process
// never see each other's caches (each has its own database).
//
// A change written inside a transaction is applied twice: at once (a read already under
// way is then not stored: grant-cache.ts's epoch) and again when the transaction has
// committed (a read made between the two saw the old rows). A rolled-back change only
// costs a re-read. Other processes learn of changes through the grant change feed
// (grant-changes.ts); a database with no AccessCaches (a bare openDb) has no caches in
// this process to tell.
import type { Db, Queryable, Tx } from '../store/db.ts';
import { macKey, type GrantStateCache } from './grant-cache.ts';
import type { VenueSettingsCache } from './venue-cache.ts';
import { NasListCache } from './nas-list-cache.ts';

export class AccessCaches {
  /** Grant state on the auth path, one per RADIUS policy of this context. */
  readonly grants = new Set<GrantStateCache>();
  /** Venue settings on the RADIUS path. */
  readonly venues = new Set<VenueSettingsCache>();
  /** Each venue's NAS list for the guest pages (nas-list-cache.ts). */
  readonly nasLists = new NasListCache();
  /** Told when a NAS is added, changed or removed (the RADIUS client directory). */
  readonly nasListeners = new Set<() => void>();

  grantChanged(grantId: string): void {
    for (const c of this.grants) c.forgetGrant(grantId);
  }

  /** A device has a new grant at a venue: its MAC authentication there must read it. */
  deviceGranted(mac: string, venueId: string): void {
    const key = macKey(mac, venueId);
    for (const c of this.grants) c.forgetKey(key);
  }

  /** A venue's wording, name or settings changed: every re-consent verdict may be wrong now (rare, so all go). */
  venueChanged(venueId: string): void {
    for (const c of this.grants) c.clear();
    for (const v of this.venues) v.forget(venueId);
  }

  nasChanged(): void {
    this.nasLists.clear();
    for (const f of this.nasListeners) f();
  }
}

type Change = (caches: AccessCaches) => void;

/** The database's caches, and a transaction's changes waiting for its commit. */
const attached = new WeakMap<Queryable, { caches: AccessCaches; pending?: Change[] }>();

/** Made once per context (buildContext): the caches of everything this process keeps about `db`. */
export function attachAccessCaches(db: Db): AccessCaches {
  const known = attached.get(db);
  if (known) return known.caches;
  const caches = new AccessCaches();
  attached.set(db, { caches });
  const tx = db.tx.bind(db);
  db.tx = async <T>(fn: (t: Tx) => Promise<T>): Promise<T> => {
    const pending: Change[] = [];
    try {
      return await tx((t) => {
        attached.set(t, { caches, pending });
        return fn(t);
      });
    } finally {
      // Rolled back too: a read inside the transaction may have kept what it wrote.
      for (const change of pending) change(caches);
    }
  };
  return caches;
}

/** The entry of `q`, or of the database it was derived from with Object.create (a wrapper that counts or fails reads). */
function entryOf(q: Queryable): { caches: AccessCaches; pending?: Change[] } | undefined {
  for (let o: object | null = q; o !== null; o = Object.getPrototypeOf(o)) {
    const a = attached.get(o as Queryable);
    if (a) return a;
  }
  return undefined;
}

export function accessCachesOf(q: Queryable): AccessCaches | undefined {
  return entryOf(q)?.caches;
}

/** The caches to read through: none inside a transaction, which may see rows nobody else does yet. */
export function readCachesOf(q: Queryable): AccessCaches | undefined {
  const a = entryOf(q);
  return a && !a.pending ? a.caches : undefined;
}

/** Called by access's write functions after their write: applied now, and again after the commit when `q` is a transaction. */
export function announce(q: Queryable, change: Change): void {
  const a = entryOf(q);
  if (!a) return;
  change(a.caches);
  a.pending?.push(change);
}
