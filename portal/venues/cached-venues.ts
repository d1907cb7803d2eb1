// Venues as the guest pages serve them, from memory: every screen, every redirect from a
// NAS and every stylesheet needs its venue, and reading and checking the row each time
// cost more than the page around it. Made once per context (context.ts buildContext).
//
// Why it is right to keep:
//  - In this process nothing is served stale: venues' own write functions (venues.ts
//    updateVenueSettings, publish.ts publishDraft) call venueWritten(), which drops the
//    venue from every cache of the process, and a read that was under way meanwhile is
//    not kept.
//  - A change made by another process (another Foyer, the CLI) shows within `checkMs`
//    (a second): an entry older than that is checked against its row before it is served
//    again, and reused without parsing when the row is unchanged. So a venue is read at
//    most once a second per process, however busy its pages.
//  - A slug with no venue is not kept: a venue added a moment ago is found at once.
import type { Queryable } from '../store/db.ts';
import { venueFromRow, type Venue, type VenueRow } from './venues.ts';
import { followVenueWrites } from './venue-written.ts';

interface Entry {
  venue: Venue;
  /** The row the venue was parsed from: an unchanged row is reused as it is. */
  raw: string;
  checkedAt: number;
}

/** Entries past this are dropped all at once (slugs are not an unbounded set, but a bound costs nothing). */
const MAX_ENTRIES = 1000;

const rawOf = (r: VenueRow) => JSON.stringify([r.id, r.slug, r.name, r.country, r.settings, Number(r.created_at)]);

export class CachedVenues {
  private bySlugs = new Map<string, Entry>();
  private loading = new Map<string, Promise<Venue | undefined>>();
  /** Bumped by every forget: a read that started before one is not kept. */
  private epoch = 0;

  constructor(
    private db: Queryable,
    readonly checkMs = 1000,
    private clock: () => number = () => performance.now(),
  ) {
    followVenueWrites(this);
  }

  /** The venue at /p/<slug>, or undefined when there is none. */
  bySlug(slug: string): Promise<Venue | undefined> {
    const hit = this.bySlugs.get(slug);
    if (hit && this.clock() - hit.checkedAt < this.checkMs) return Promise.resolve(hit.venue);
    let load = this.loading.get(slug);
    if (!load) {
      const started: Promise<Venue | undefined> = this.load(slug).finally(() => {
        if (this.loading.get(slug) === started) this.loading.delete(slug);
      });
      this.loading.set(slug, (load = started));
    }
    return load;
  }

  /** Drops a venue (by id): its next request reads the row. */
  forget(venueId: string): void {
    this.epoch++;
    this.loading.clear();
    for (const [slug, e] of this.bySlugs) if (e.venue.id === venueId) this.bySlugs.delete(slug);
  }

  private async load(slug: string): Promise<Venue | undefined> {
    const epoch = this.epoch;
    const checkedAt = this.clock();
    const r = await this.db.get<VenueRow>('SELECT * FROM venues WHERE slug = ?', [slug]);
    const keep = epoch === this.epoch;
    if (!r) {
      if (keep) this.bySlugs.delete(slug);
      return undefined;
    }
    const raw = rawOf(r);
    const hit = this.bySlugs.get(slug);
    const venue = hit && hit.raw === raw ? hit.venue : venueFromRow(r);
    if (keep) {
      if (this.bySlugs.size >= MAX_ENTRIES && !hit) this.bySlugs.clear();
      this.bySlugs.set(slug, { venue, raw, checkedAt });
    }
    return venue;
  }
}
