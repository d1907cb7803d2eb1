// Venues' names and slugs by id, for capabilities that hold a venue id and show or link
// the venue (access's live sessions, the UniFi site lookup).
import type { Queryable } from '../store/db.ts';

export interface VenueName {
  slug: string;
  name: string;
}

export async function venueNamesById(db: Queryable, ids: Iterable<string>): Promise<Map<string, VenueName>> {
  const wanted = [...new Set(ids)];
  if (!wanted.length) return new Map();
  const rows = await db.all<{ id: string; slug: string; name: string }>(
    `SELECT id, slug, name FROM venues WHERE id IN (${wanted.map(() => '?').join(', ')})`,
    wanted,
  );
  return new Map(rows.map((r) => [r.id, { slug: r.slug, name: r.name }]));
}
