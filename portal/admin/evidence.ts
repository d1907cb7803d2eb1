// "The page as shown" for one ledger event: the stored template version it names,
// rendered again, with the consent text whose hash the event holds.
import type { AppContext } from '../context.ts';
import type { ConsentEventRow } from '../consent/event.ts';
import { sha256 } from '../consent/event.ts';
import { loadTemplateVersion } from '../venues/template-versions.ts';
import { flatten } from '../venues/version-diff.ts';

export interface Evidence {
  versionId: string | null;
  storedAt?: number;
  /** Every text of the stored version, by path (what decided the page). */
  texts: [string, string][];
  /** The text whose sha256 equals the event's text_hash, when found: proof of what was agreed to. */
  matchedText?: { path: string; text: string };
  missing?: boolean;
}

export async function renderEvidence(app: AppContext, event: ConsentEventRow): Promise<Evidence> {
  if (!event.template_version_id) return { versionId: null, texts: [] };
  const v = await loadTemplateVersion(app.db, event.template_version_id);
  if (!v) return { versionId: event.template_version_id, texts: [], missing: true };
  const texts = [...flatten(v.content)];
  const hit = event.text_hash ? texts.find(([, t]) => sha256(t) === event.text_hash) : undefined;
  return { versionId: v.id, storedAt: v.createdAt, texts, matchedText: hit && { path: hit[0], text: hit[1] } };
}
