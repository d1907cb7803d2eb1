// Template versions: the content hash of everything that decides what a guest reads
// on the consent screens, stored immutably the first time it is rendered.
import type { Queryable } from '../store/db.ts';
import { sha256 } from './event.ts';

/** Stable JSON: object keys sorted, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Returns the version id (sha256 of the canonical content); stores it if it is new. */
export async function registerTemplateVersion(db: Queryable, venueId: string, content: unknown): Promise<string> {
  const json = canonicalJson(content);
  const id = sha256(json);
  await storeVersion(db, id, venueId, json);
  return id;
}

const storeVersion = (db: Queryable, id: string, venueId: string, json: string) =>
  db.run(
    'INSERT INTO template_versions (id, venue_id, content, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    [id, venueId, json, Date.now()],
  );

/**
 * The versions of one database (ConsentPages.versions), remembering the ids already
 * stored so a hot page does not write on every render. A version is never changed nor
 * deleted, so an id once stored stays true; register() is the one write and records it.
 */
export class TemplateVersions {
  private known = new Set<string>();
  constructor(private readonly db: Queryable) {}

  async register(venueId: string, content: unknown): Promise<string> {
    const json = canonicalJson(content);
    const id = sha256(json);
    if (this.known.has(id)) return id;
    await storeVersion(this.db, id, venueId, json);
    this.known.add(id);
    return id;
  }
}

export async function loadTemplateVersion<T = unknown>(
  db: Queryable,
  id: string,
): Promise<{ id: string; venueId: string; content: T; createdAt: number } | undefined> {
  const r = await db.get<{ id: string; venue_id: string; content: string; created_at: number }>(
    'SELECT * FROM template_versions WHERE id = ?',
    [id],
  );
  return r && { id: r.id, venueId: r.venue_id, content: JSON.parse(r.content) as T, createdAt: r.created_at };
}

/** When each of these page versions was first shown (the console names versions by date, not hash). */
export async function templateVersionDates(db: Queryable, ids: string[]): Promise<Record<string, number>> {
  // One person's page versions are few: a lookup each keeps the SQL constant.
  const rows: { id: string; created_at: number | string }[] = [];
  for (const id of new Set(ids.filter(Boolean))) {
    const r = await db.get<{ id: string; created_at: number | string }>(
      'SELECT id, created_at FROM template_versions WHERE id = ?',
      [id],
    );
    if (r) rows.push(r);
  }
  return Object.fromEntries(rows.map((r) => [r.id, Number(r.created_at)]));
}
