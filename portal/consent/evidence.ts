// Evidence for one ledger event: the stored template version it names, rendered again by
// the guest pages' own renderer (byte for byte the page the guest's flow was served), and
// the consent text whose hash the event holds, checked against that version. Used by the
// console's record pages and by `foyer consents evidence EVENT_ID`.
import type { Queryable } from '../store/db.ts';
import { FoyerError } from '../errors.ts';
import type { ConsentEventRow } from './event.ts';
import { loadTemplateVersion } from './template-versions.ts';
import { flatten } from '../venues/version-diff.ts';
import { CONTENT_KIND, type ConsentContent, type ConsentPages } from './consent-page.ts';

type Deps = { db: Queryable; consentPages: ConsentPages };

export interface Evidence {
  versionId: string | null;
  storedAt?: number;
  /** True when the version is a guest consent page that can be rendered again. */
  renderable?: boolean;
  /** The consent text of the event's purpose in that version, and whether its hash is the event's. */
  consentText?: { text: string; matches: boolean };
  /** Other content (an SMS keyword reply, say): every text it holds, by path. */
  texts: [string, string][];
  missing?: boolean;
}

const isGuestPage = (c: unknown): c is ConsentContent => (c as { kind?: unknown })?.kind === CONTENT_KIND;

export async function describeEvidence(app: Deps, event: ConsentEventRow): Promise<Evidence> {
  if (!event.template_version_id) return { versionId: null, texts: [] };
  const v = await loadTemplateVersion(app.db, event.template_version_id);
  if (!v) return { versionId: event.template_version_id, texts: [], missing: true };
  if (!isGuestPage(v.content)) return { versionId: v.id, storedAt: v.createdAt, texts: [...flatten(v.content)] };
  const text = app.consentPages.consentTexts(v.content)[event.purpose];
  return {
    versionId: v.id,
    storedAt: v.createdAt,
    renderable: true,
    consentText: { text, matches: app.consentPages.consentTextHash(v.content, event.purpose) === event.text_hash },
    texts: [],
  };
}

/** The whole page, byte for byte as the guest's flow was first served it (the console's "page as shown"). */
export async function evidencePage(app: Deps, event: ConsentEventRow): Promise<string | undefined> {
  if (!event.template_version_id) return undefined;
  const v = await loadTemplateVersion(app.db, event.template_version_id);
  if (!v || !isGuestPage(v.content)) return undefined;
  return app.consentPages.renderEvidence(v.id, v.content, event.verification_id ?? event.id);
}

/**
 * `foyer consents evidence EVENT_ID`: screen 1 rendered again from the template version
 * the event names, with the values that page view carried (its flow id and entry token,
 * recorded in the event's evidence): the same bytes the guest received.
 */
export async function consentEvidence(app: Deps, eventId: string): Promise<{ html: string; versionId: string }> {
  const e = await app.db.get<{ template_version_id: string | null; evidence: string | null; channel: string }>(
    'SELECT template_version_id, evidence, channel FROM consent_events WHERE id = ?',
    [eventId],
  );
  if (!e) throw new FoyerError('event_not_found', 404, `No consent event with id "${eventId}".`);
  if (!e.template_version_id)
    throw new FoyerError(
      'evidence_unavailable',
      404,
      `Event ${eventId} (${e.channel}) names no page version: it was not given on the portal.`,
    );
  const version = await loadTemplateVersion<ConsentContent>(app.db, e.template_version_id);
  if (!version)
    throw new FoyerError(
      'evidence_unavailable',
      404,
      `Template version ${e.template_version_id} of event ${eventId} is missing from template_versions.`,
    );
  if (!isGuestPage(version.content))
    throw new FoyerError('evidence_unavailable', 404, `Template version ${version.id} is not a portal consent page.`);
  let view: { flow?: unknown; entry?: unknown } = {};
  try {
    view = e.evidence ? (JSON.parse(e.evidence) as typeof view) : {};
  } catch {
    view = {};
  }
  if (typeof view.flow !== 'string')
    throw new FoyerError('evidence_unavailable', 404, `Event ${eventId} does not record which page view it came from.`);
  // The page carried its entry token since screen 1 stopped writing; older pages, the flow id alone.
  const entry = typeof view.entry === 'string' ? view.entry : undefined;
  return {
    html: app.consentPages.renderEvidence(version.id, version.content, view.flow, entry),
    versionId: version.id,
  };
}
