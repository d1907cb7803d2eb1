// The guest stylesheet and each venue's colours, served by Foyer (guests are not online
// yet and the CSP allows only 'self'). Links carry a content hash, so they can be cached
// for a long time and a change is never stale.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { TEMPLATES_DIR } from '../http/views.ts';
import type { Venue } from '../venues/venues.ts';

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

let css: { body: string; etag: string } | undefined;
export function guestCss(): { body: string; etag: string } {
  if (!css) {
    const body = readFileSync(join(TEMPLATES_DIR, 'static', 'guest.css'), 'utf8');
    css = { body, etag: `"${hash(body)}"` };
  }
  return css;
}

export function themeCss(venue: Pick<Venue, 'settings'>): string {
  const b = venue.settings.branding;
  return `:root{--primary:${b.primaryColor};--bg:${b.backgroundColor};--fg:${b.textColor}}\n`;
}

/** The content hash a theme's link carries (?v=) and its ETag names. */
export const themeHash = (css: string) => hash(css);

// Every guest page links its venue's theme by the theme's hash: kept per theme text (a few
// colours each, a handful of venues), so a page does not hash it again.
const themeHashes = new Map<string, string>();

export function assetHrefs(venue: Venue): { css: string; theme: string } {
  const theme = themeCss(venue);
  let h = themeHashes.get(theme);
  if (h === undefined) {
    if (themeHashes.size >= 256) themeHashes.clear();
    themeHashes.set(theme, (h = themeHash(theme)));
  }
  return {
    css: `/p/static/guest.css?v=${guestCss().etag.slice(1, -1)}`,
    theme: `/p/${venue.slug}/theme.css?v=${h}`,
  };
}
