// The compare view in the operator's words: a settings path (wording.bg.incentive) becomes
// the label of the field that edits it ("Incentive (Български)"), a colour a swatch, a logo
// the image. Paths with no field of their own keep their path.
import type { Views } from '../http/views.ts';
import type { Locale } from '../venues/settings.ts';

export function fieldLabel(views: Views, locale: Locale, path: string): string {
  const t = (key: string) => {
    const s = views.t(locale, key);
    return s === key ? undefined : s;
  };
  const [head, a, b] = path.split('.');
  const label =
    path === 'name'
      ? t('admin.venue.name')
      : path === 'contact'
        ? t('admin.branding.contact')
        : head === 'branding'
          ? t(`admin.branding.${a}`)
          : head === 'wording' && b
            ? t(`admin.wording.${b}`) && `${t(`admin.wording.${b}`)} (${t(`admin.lang.${a}`) ?? a})`
            : head === 'fields'
              ? t(`admin.branding.field.${a}`)
              : head === 'offers'
                ? t(`admin.purpose.${a}`)
                : undefined;
  return label ?? path;
}

/** A colour as a small square image (inline styles are refused by the CSP; data: images are not). */
export function swatch(value: string): string | undefined {
  if (!/^#[0-9a-fA-F]{6}$/.test(value)) return undefined;
  return `data:image/svg+xml,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><rect width="24" height="24" rx="4" fill="${value}" stroke="#6b7280"/></svg>`)}`;
}

/** A stored logo's own URL (uploads are served from /logos/ only). */
export const logoUrl = (value: string): string | undefined =>
  /^\/logos\/[0-9a-f]{40}\.(png|jpe?g|webp)$/.test(value) ? value : undefined;
