// `foyer consents evidence EVENT_ID`: screen 1 rendered again from the template version
// the event names, with the values that page view carried (its flow id and entry token,
// recorded in the event's evidence): the same bytes the guest received.
import type { AppContext } from '../context.ts';
import { FoyerError } from '../errors.ts';
import { loadTemplateVersion } from './template-versions.ts';
import { CONTENT_KIND, renderEvidence, type ConsentContent } from './consent-page.ts';

export async function consentEvidence(ctx: Pick<AppContext, 'db' | 'keys'>, eventId: string): Promise<{ html: string; versionId: string }> {
  const e = await ctx.db.get<{ template_version_id: string | null; evidence: string | null; channel: string }>(
    'SELECT template_version_id, evidence, channel FROM consent_events WHERE id = ?',
    [eventId],
  );
  if (!e) throw new FoyerError('event_not_found', 404, `No consent event with id "${eventId}".`);
  if (!e.template_version_id) throw new FoyerError('evidence_unavailable', 404, `Event ${eventId} (${e.channel}) names no page version: it was not given on the portal.`);
  const version = await loadTemplateVersion<ConsentContent>(ctx.db, e.template_version_id);
  if (!version) throw new FoyerError('evidence_unavailable', 404, `Template version ${e.template_version_id} of event ${eventId} is missing from template_versions.`);
  if ((version.content as { kind?: string }).kind !== CONTENT_KIND) throw new FoyerError('evidence_unavailable', 404, `Template version ${version.id} is not a portal consent page.`);
  let view: { flow?: unknown; entry?: unknown } = {};
  try {
    view = e.evidence ? (JSON.parse(e.evidence) as typeof view) : {};
  } catch {
    view = {};
  }
  if (typeof view.flow !== 'string') throw new FoyerError('evidence_unavailable', 404, `Event ${eventId} does not record which page view it came from.`);
  // The page carried its entry token since screen 1 stopped writing; older pages, the flow id alone.
  const entry = typeof view.entry === 'string' ? view.entry : undefined;
  return { html: renderEvidence(ctx.keys, version.id, version.content, view.flow, entry), versionId: version.id };
}
