// Each venue's NAS list as the guest pages read it (every screen 1 from a redirect, every
// hand-back: access-points/nas-for-handoff.ts), kept so that a page costs a Map lookup
// instead of a query and the decryption of every secret. Kept right by access's own NAS
// writes (this process: access-caches.ts nasChanged(); other processes: a `nas:` row on
// the grant change feed, which the RADIUS policy of every Foyer process reads about once
// a second). Without a feed (RADIUS_GRANT_CACHE_MS=0), a list is kept `ttlMs` at most.
import type { NasRecord } from './nas-clients.ts';

export class NasListCache {
  private lists = new Map<string, { list: NasRecord[]; until: number }>();
  /** Bumped by clear(): a read that started before must not be stored. */
  private epoch = 0;

  constructor(
    private ttlMs = 5000,
    private clock: () => number = Date.now,
  ) {}

  async get(venueId: string, read: () => Promise<NasRecord[]>): Promise<NasRecord[]> {
    const hit = this.lists.get(venueId);
    if (hit && hit.until > this.clock()) return hit.list;
    const epoch = this.epoch;
    const list = await read();
    if (epoch === this.epoch) this.lists.set(venueId, { list, until: this.clock() + this.ttlMs });
    return list;
  }

  clear(): void {
    this.epoch++;
    this.lists.clear();
  }
}
