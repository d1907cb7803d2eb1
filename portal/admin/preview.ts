// The preview of a draft: the guest's first screen rendered by the guest pages' own
// renderer (portal/consent/consent-page.ts) from the draft settings, so the preview is
// the real page. It is not registered as a template version: no guest has seen it.
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { canonicalJson } from '../consent/template-versions.ts';
import { sha256 } from '../consent/event.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderPreview(app: AppContext, venue: Venue, locale: Locale, themeHref: string): string {
  const content = app.consentPages.buildContent(venue, locale);
  // The draft's colours, not the published ones the guest theme link would load.
  content.assets = { ...content.assets, theme: themeHref };
  const html = app.consentPages.renderStart(`preview-${sha256(canonicalJson(content))}`, content, {
    flowId: 'preview',
    csrf: '',
  });
  const banner = `<p class="admin-preview-banner" role="note">${esc(app.views.t(locale, 'admin.preview.banner'))} <a href="/admin/venues/${esc(venue.slug)}/branding">${esc(app.views.t(locale, 'admin.preview.back'))}</a></p>`;
  return html
    .replace('</head>', '<link rel="stylesheet" href="/admin/static/admin-preview.css">\n</head>')
    .replace(/<body[^>]*>/, (m) => `${m}\n${banner}`);
}
