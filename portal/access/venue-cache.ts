// Venue settings on the RADIUS path: read once, kept briefly, so that a packet costs a
// Map lookup. A change made in this process drops the venue at once (venues' writes call
// grant-changes.ts venueChanged(), which tells access-caches.ts); one made elsewhere
// reaches RADIUS within `ttlMs`.
import type { Queryable } from '../store/db.ts';
import { findVenueById } from '../venues/venues.ts';
import { defaultSettings, type VenueSettings } from '../venues/settings.ts';

export class VenueSettingsCache {
  private entries = new Map<string, { settings: VenueSettings; at: number; loading?: Promise<VenueSettings> }>();

  constructor(
    private db: Queryable,
    private ttlMs = 10_000,
    private clock: () => number = Date.now,
  ) {}

  /** The settings when they are fresh, without waiting: the common case needs no await. */
  peek(venueId: string): VenueSettings | undefined {
    const hit = this.entries.get(venueId);
    return hit && this.clock() - hit.at < this.ttlMs ? hit.settings : undefined;
  }

  /** The venue changed: read it again at the next request. */
  forget(venueId: string): void {
    this.entries.delete(venueId);
  }

  async get(venueId: string): Promise<VenueSettings> {
    const fresh = this.peek(venueId);
    if (fresh) return fresh;
    const hit = this.entries.get(venueId);
    if (hit?.loading) return hit.loading;
    const loading = findVenueById(this.db, venueId).then((v) => {
      // A venue removed under a NAS still answers with defaults rather than failing.
      const settings = v?.settings ?? defaultSettings();
      this.entries.set(venueId, { settings, at: this.clock() });
      return settings;
    });
    if (hit) hit.loading = loading;
    else this.entries.set(venueId, { settings: defaultSettings(), at: -Infinity, loading });
    try {
      return await loading;
    } catch (err) {
      const e = this.entries.get(venueId);
      if (e) e.loading = undefined;
      throw err;
    }
  }
}
