// Publishing: the draft becomes the venue's settings (what guests are served) and a
// numbered version records who published what, when. The guest pages derive their
// template version id from what they render, so a new wording is a new version there.
import type { Db, Queryable } from '../store/db.ts';
import { StoreError } from '../store/db.ts';
import { FoyerError } from '../errors.ts';
import { venueSettingsSchema, type VenueSettings } from './settings.ts';
import { applyDraft, discardDraft, loadDraft } from './drafts.ts';
import { consentProblems } from './consent-rules.ts';
import { findVenueById, type Venue } from './venues.ts';
import { venueChanged } from '../access/grant-changes.ts';
import { venueWritten } from './venue-written.ts';

export interface PublishedVersion {
  id: number;
  venueId: string;
  number: number;
  name: string;
  settings: VenueSettings;
  publishedAt: number;
  publishedBy: string;
}

interface Row {
  id: number;
  venue_id: string;
  number: number;
  name: string;
  settings: string;
  published_at: number;
  published_by: string;
}

const fromRow = (r: Row): PublishedVersion => ({
  id: r.id,
  venueId: r.venue_id,
  number: r.number,
  name: r.name,
  settings: venueSettingsSchema.parse(JSON.parse(r.settings)),
  publishedAt: r.published_at,
  publishedBy: r.published_by,
});

/** The settings the venue had before its first publish from the console count as version 1. */
export const INITIAL_PUBLISHER = 'initial settings';

/**
 * `keepConsent`: the owner or operator says the controller behind a renamed venue is the same,
 * so the old name joins settings.formerNames and consent given under it still stands
 * (consent/consent-page.ts stillAgreed); a change of wording beyond the name is asked again
 * all the same, since only the name is substituted when comparing.
 */
export async function publishDraft(
  db: Db,
  venueId: string,
  by: string,
  now = Date.now(),
  o: { keepConsent?: boolean } = {},
): Promise<PublishedVersion> {
  try {
    return await publishInTx(db, venueId, by, now, o.keepConsent === true);
  } catch (err) {
    // The PostgreSQL store wraps whatever a transaction throws in a StoreError; the refusal is ours.
    throw err instanceof StoreError && err.cause instanceof FoyerError ? err.cause : err;
  }
}

/** Why a venue with the draft applied cannot be published (consent that could not be valid); empty when it can. */
export const publishProblems = (next: Venue) =>
  consentProblems({
    offers: {
      sms: next.settings.offers.sms ? 'optional' : 'off',
      email: next.settings.offers.email ? 'optional' : 'off',
    },
    wording: next.settings.wording,
  });

function publishInTx(
  db: Db,
  venueId: string,
  by: string,
  now: number,
  keepConsent: boolean,
): Promise<PublishedVersion> {
  return db.tx(async (tx) => {
    await tx.lock(`venue-publish:${venueId}`);
    const venue = await findVenueById(tx, venueId);
    if (!venue) throw new FoyerError('venue_not_found', 404, 'There is no such venue.');
    const next = applyDraft(venue, await loadDraft(tx, venue));
    // A rename either keeps the controller (its old name joins the former ones) or does not,
    // and then no consent given under any earlier name stands.
    if (next.name !== venue.name)
      next.settings = {
        ...next.settings,
        formerNames: keepConsent
          ? [...new Set([...(venue.settings.formerNames ?? []), venue.name])].filter((n) => n !== next.name)
          : undefined,
      };
    const problems = publishProblems(next);
    if (problems.length)
      throw new FoyerError(
        problems[0].code,
        400,
        `This draft cannot be published: ${problems.map((p) => `${p.field} (${p.code})`).join(', ')}.`,
      );
    let last = await tx.get<{ n: number | null }>('SELECT MAX(number) AS n FROM venue_versions WHERE venue_id = ?', [
      venueId,
    ]);
    if (!last?.n) {
      await insertVersion(tx, venue, 1, INITIAL_PUBLISHER, venue.createdAt);
      last = { n: 1 };
    }
    await tx.run('UPDATE venues SET name = ?, settings = ? WHERE id = ?', [
      next.name,
      JSON.stringify(next.settings),
      venueId,
    ]);
    venueWritten(venueId);
    // New wording changes which returning devices must consent again (RADIUS caches that verdict).
    await venueChanged(tx, venueId);
    const version = await insertVersion(tx, next, last.n! + 1, by, now);
    await discardDraft(tx, venueId);
    return version;
  });
}

async function insertVersion(
  tx: Queryable,
  venue: Venue,
  number: number,
  by: string,
  at: number,
): Promise<PublishedVersion> {
  const r = await tx.get<{ id: number }>(
    'INSERT INTO venue_versions (venue_id, number, name, settings, published_at, published_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    [venue.id, number, venue.name, JSON.stringify(venue.settings), at, by],
  );
  return {
    id: r!.id,
    venueId: venue.id,
    number,
    name: venue.name,
    settings: venue.settings,
    publishedAt: at,
    publishedBy: by,
  };
}

export async function listVersions(db: Queryable, venueId: string): Promise<PublishedVersion[]> {
  return (await db.all<Row>('SELECT * FROM venue_versions WHERE venue_id = ? ORDER BY number DESC', [venueId])).map(
    fromRow,
  );
}

export async function loadVersion(
  db: Queryable,
  venueId: string,
  number: number,
): Promise<PublishedVersion | undefined> {
  const r = await db.get<Row>('SELECT * FROM venue_versions WHERE venue_id = ? AND number = ?', [venueId, number]);
  return r && fromRow(r);
}
