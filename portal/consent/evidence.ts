// "The page as shown" for one ledger event: the stored template version it names,
// rendered again by the guest pages' own renderer, and the consent text whose hash
// the event holds, checked against that version.
import type { AppContext } from '../context.ts';
import type { ConsentEventRow } from './event.ts';
import { loadTemplateVersion } from './template-versions.ts';
import { flatten } from '../venues/version-diff.ts';
import { CONTENT_KIND, consentTextHash, consentTexts, renderEvidence as renderGuestEvidence, type ConsentContent } from './consent-page.ts';

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

export async function describeEvidence(app: AppContext, event: ConsentEventRow): Promise<Evidence> {
  if (!event.template_version_id) return { versionId: null, texts: [] };
  const v = await loadTemplateVersion(app.db, event.template_version_id);
  if (!v) return { versionId: event.template_version_id, texts: [], missing: true };
  if (!isGuestPage(v.content)) return { versionId: v.id, storedAt: v.createdAt, texts: [...flatten(v.content)] };
  const text = consentTexts(v.content)[event.purpose];
  return { versionId: v.id, storedAt: v.createdAt, renderable: true, consentText: { text, matches: consentTextHash(v.content, event.purpose) === event.text_hash }, texts: [] };
}

/** The whole page, byte for byte as the guest's flow was first served it. */
export async function evidencePage(app: AppContext, event: ConsentEventRow): Promise<string | undefined> {
  if (!event.template_version_id) return undefined;
  const v = await loadTemplateVersion(app.db, event.template_version_id);
  if (!v || !isGuestPage(v.content)) return undefined;
  return renderGuestEvidence(app.keys, v.id, v.content, event.verification_id ?? event.id);
}
