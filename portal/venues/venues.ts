// Venues: the controller of every consent collected on their pages.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../store/db.ts';
import { badInput, conflict } from '../errors.ts';
import { StoreError } from '../store/db.ts';
import { venueSettingsSchema, type VenueSettings } from './settings.ts';
import { venueChanged } from '../access/grant-changes.ts';
import { venueWritten } from './venue-written.ts';

export interface Venue {
  id: string;
  slug: string;
  name: string;
  /** ISO 3166-1 alpha-2, the default for phone numbers. */
  country: string;
  settings: VenueSettings;
  createdAt: number;
}

export interface VenueRow {
  id: string;
  slug: string;
  name: string;
  country: string;
  settings: string;
  created_at: number;
}

export const venueInput = z.object({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, at most 63'),
  name: z.string().trim().min(1).max(120),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'a two-letter ISO country code such as BG')
    .default('BG'),
  settings: venueSettingsSchema.default(venueSettingsSchema.parse({})),
});

export const venueFromRow = (r: VenueRow): Venue => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  country: r.country,
  settings: venueSettingsSchema.parse(JSON.parse(r.settings)),
  createdAt: r.created_at,
});

export async function createVenue(db: Queryable, input: z.input<typeof venueInput>): Promise<Venue> {
  const parsed = venueInput.safeParse({ ...input, country: input.country?.toUpperCase() });
  if (!parsed.success)
    throw badInput('venue_invalid', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const v = parsed.data;
  const venue: Venue = {
    id: randomUUID(),
    slug: v.slug,
    name: v.name,
    country: v.country,
    settings: v.settings,
    createdAt: Date.now(),
  };
  try {
    await db.run('INSERT INTO venues (id, slug, name, country, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      venue.id,
      venue.slug,
      venue.name,
      venue.country,
      JSON.stringify(venue.settings),
      venue.createdAt,
    ]);
  } catch (err) {
    if (err instanceof StoreError && err.code === 'conflict')
      throw conflict('venue_exists', `A venue with slug "${v.slug}" already exists.`);
    throw err;
  }
  return venue;
}

export async function findVenueBySlug(db: Queryable, slug: string): Promise<Venue | undefined> {
  const r = await db.get<VenueRow>('SELECT * FROM venues WHERE slug = ?', [slug]);
  return r && venueFromRow(r);
}

export async function findVenueById(db: Queryable, id: string): Promise<Venue | undefined> {
  const r = await db.get<VenueRow>('SELECT * FROM venues WHERE id = ?', [id]);
  return r && venueFromRow(r);
}

export async function listVenues(db: Queryable): Promise<Venue[]> {
  return (await db.all<VenueRow>('SELECT * FROM venues ORDER BY slug')).map(venueFromRow);
}

export async function updateVenueSettings(db: Queryable, id: string, settings: VenueSettings): Promise<void> {
  await db.run('UPDATE venues SET settings = ? WHERE id = ?', [
    JSON.stringify(venueSettingsSchema.parse(settings)),
    id,
  ]);
  venueWritten(id);
  // New wording changes which returning devices must consent again (RADIUS caches that verdict).
  await venueChanged(db, id);
}
