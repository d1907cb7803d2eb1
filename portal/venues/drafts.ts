// A venue's draft: the part of its settings guests read on the consent screens (name,
// branding, wording, form fields, offers, contact), edited and previewed before it is
// published. Without a draft, the draft is what is published.
import type { Queryable } from '../store/db.ts';
import { venueSettingsSchema, type VenueSettings } from './settings.ts';
import type { Venue } from './venues.ts';

export const CONTENT_KEYS = ['branding', 'wording', 'fields', 'offers', 'contact'] as const;
export type DraftContent = Pick<VenueSettings, (typeof CONTENT_KEYS)[number]>;

export interface Draft {
  name: string;
  content: DraftContent;
  /** Unset when there are no unpublished changes. */
  updatedAt?: number;
  updatedBy?: string;
}

export const contentOf = (s: VenueSettings): DraftContent => ({
  branding: s.branding,
  wording: s.wording,
  fields: s.fields,
  offers: s.offers,
  contact: s.contact,
});

export async function loadDraft(db: Queryable, venue: Venue): Promise<Draft> {
  const r = await db.get<{ name: string; settings: string; updated_at: number; updated_by: string }>(
    'SELECT * FROM venue_drafts WHERE venue_id = ?',
    [venue.id],
  );
  if (!r) return { name: venue.name, content: contentOf(venue.settings) };
  return {
    name: r.name,
    content: JSON.parse(r.settings) as DraftContent,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

export async function saveDraft(
  db: Queryable,
  venueId: string,
  draft: { name: string; content: DraftContent },
  by: string,
  now = Date.now(),
): Promise<void> {
  await db.run(
    `INSERT INTO venue_drafts (venue_id, name, settings, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (venue_id) DO UPDATE SET name = excluded.name, settings = excluded.settings, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [venueId, draft.name, JSON.stringify(draft.content), now, by],
  );
}

export async function discardDraft(db: Queryable, venueId: string): Promise<void> {
  await db.run('DELETE FROM venue_drafts WHERE venue_id = ?', [venueId]);
}

/** The venue as guests would see it once the draft is published (for the preview). */
export function applyDraft(venue: Venue, draft: Draft): Venue {
  return { ...venue, name: draft.name, settings: venueSettingsSchema.parse({ ...venue.settings, ...draft.content }) };
}
