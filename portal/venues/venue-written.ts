// The venue caches of this process (cached-venues.ts, one per context), told by venues'
// own write functions that a venue's row changed. Other processes learn it by their
// caches' own check (within a second).

interface Forgets {
  forget(venueId: string): void;
}

const caches = new Set<WeakRef<Forgets>>();

/** Called by each cache as it is made; a cache that is gone (its context closed and collected) drops out. */
export function followVenueWrites(cache: Forgets): void {
  caches.add(new WeakRef(cache));
}

/**
 * A venue's row was written in this process (venues' write functions only): every cache
 * of the process forgets it. Called inside the writer's transaction, so a read between
 * this and the commit can keep the old row until its next check, at most a second later.
 */
export function venueWritten(venueId: string): void {
  for (const ref of caches) {
    const c = ref.deref();
    if (c) c.forget(venueId);
    else caches.delete(ref);
  }
}
