// The preview of a draft: the guest's first screen rendered with the draft settings.
// Uses the guest pages' own template (templates/guest/) when it is there, so the
// preview is the real page; otherwise a faithful stand-in under templates/admin/.
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';

export function renderPreview(app: AppContext, venue: Venue, locale: Locale, cssHref: string): string {
  const w = venue.settings.wording[locale] ?? {};
  return app.views.render('admin/preview.njk', locale, { venue, w, settings: venue.settings, cssHref, previewLocale: locale });
}

/** The venue's colours as a stylesheet (the CSP forbids inline styles). */
export function themeCss(venue: Venue): string {
  const b = venue.settings.branding;
  return `:root{--venue-primary:${b.primaryColor};--venue-bg:${b.backgroundColor};--venue-fg:${b.textColor}}\n` +
    'body{background:var(--venue-bg);color:var(--venue-fg)}.guest button{background:var(--venue-primary);border-color:var(--venue-primary)}.guest a{color:var(--venue-primary)}\n';
}
