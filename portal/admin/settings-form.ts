// The venue settings page: every numeric setting with its allowed range read from the
// schema itself (so the page cannot state a range the validation does not enforce),
// plus languages, countries and the SMS keyword.
import { venueSettingsSchema, LOCALES, type VenueSettings } from '../venues/settings.ts';
import { fieldErrors, list, str } from './page.ts';

export interface NumberField {
  name: string;
  min: number;
  max: number;
  default: number;
}

type Z = {
  _zod: { def: { type: string; innerType?: Z; defaultValue?: unknown; shape?: Record<string, Z> } };
  minValue?: number | null;
  maxValue?: number | null;
  shape?: Record<string, Z>;
};

const unwrap = (z: Z): { inner: Z; def: unknown } =>
  z._zod.def.type === 'default'
    ? { inner: z._zod.def.innerType!, def: z._zod.def.defaultValue }
    : { inner: z, def: undefined };

function numberField(name: string, z: Z): NumberField {
  const { inner, def } = unwrap(z);
  return { name, min: inner.minValue ?? 0, max: inner.maxValue ?? Number.MAX_SAFE_INTEGER, default: Number(def) };
}

export const GROUPS = ['session', 'code', 'limits'] as const;

export function numberFields(): { group: string; fields: NumberField[] }[] {
  const shape = venueSettingsSchema.shape as unknown as Record<string, Z>;
  const out: { group: string; fields: NumberField[] }[] = GROUPS.map((g) => {
    const obj = unwrap(shape[g]).inner;
    return { group: g, fields: Object.entries(obj.shape!).map(([k, z]) => numberField(`${g}.${k}`, z)) };
  });
  out.push({
    group: 'retention',
    fields: ['retentionMonths', 'networkRetentionMonths'].map((k) => numberField(k, shape[k])),
  });
  return out;
}

export function settingsToForm(s: VenueSettings): Record<string, string | string[]> {
  const f: Record<string, string | string[]> = {
    locales: [...s.locales],
    defaultLocale: s.defaultLocale,
    allowedCountries: s.allowedCountries.join(', '),
    smsKeyword: s.smsKeyword ?? '',
    activeListExportDir: s.activeListExportDir ?? '',
    nasVendor: s.nasVendor ?? '',
  };
  for (const g of numberFields())
    for (const n of g.fields)
      f[n.name] = String(n.name.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], s));
  return f;
}

/**
 * Toll-fraud controls: which countries codes may be sent to and how many SMS may go out.
 * An operator who could widen them could have Foyer text premium-rate numbers without
 * limit, so only owners set them; operators see them read-only.
 */
export const isOwnerOnly = (name: string): boolean => name === 'allowedCountries' || name.startsWith('limits.');

const countries = (v: unknown): string[] =>
  String(v)
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((c) => c.toUpperCase());

/**
 * `ownerOnly` lists the toll-fraud controls a non-owner tried to change (the route
 * refuses those with 403); one they leave out, or send unchanged, keeps its value.
 *
 * `owner`: only owners set the export directory, a path on the Foyer host where files
 * are written; for others it keeps its value whatever the form says.
 */
export function formToSettings(
  current: VenueSettings,
  body: Record<string, unknown>,
  o: { owner: boolean },
): {
  values: Record<string, string | string[]>;
  settings?: VenueSettings;
  errors: Record<string, string>;
  ownerOnly: string[];
} {
  const ownerOnly: string[] = [];
  const currentForm = settingsToForm(current);
  if (!o.owner) {
    body = { ...body };
    for (const [name, was] of Object.entries(currentForm)) {
      if (!isOwnerOnly(name)) continue;
      const sent = body[name];
      const changed =
        sent !== undefined &&
        (name === 'allowedCountries'
          ? countries(sent).join(',') !== countries(was).join(',')
          : str(sent).trim() !== was);
      if (changed) ownerOnly.push(name);
      body[name] = was;
    }
  }
  const values: Record<string, string | string[]> = {
    locales: list(body.locales),
    defaultLocale: str(body.defaultLocale),
    allowedCountries: str(body.allowedCountries),
    smsKeyword: str(body.smsKeyword),
    activeListExportDir: o.owner ? str(body.activeListExportDir).trim() : (current.activeListExportDir ?? ''),
    nasVendor: str(body.nasVendor),
  };
  const next: Record<string, unknown> = structuredClone(current);
  const errors: Record<string, string> = {};
  for (const g of numberFields()) {
    for (const n of g.fields) {
      const raw = str(body[n.name]).trim();
      values[n.name] = raw;
      const num = raw === '' ? NaN : Number(raw);
      if (!Number.isInteger(num)) errors[n.name] = 'errors.admin_whole_number';
      const path = n.name.split('.');
      const parent = path.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, next);
      parent[path[path.length - 1]] = num;
    }
  }
  next.locales = values.locales;
  next.defaultLocale = values.defaultLocale;
  next.allowedCountries = countries(values.allowedCountries);
  next.smsKeyword = String(values.smsKeyword).trim() || undefined;
  next.activeListExportDir = String(values.activeListExportDir) || undefined;
  next.nasVendor = String(values.nasVendor) || undefined;
  const parsed = venueSettingsSchema.safeParse(next);
  if (!parsed.success)
    for (const [k, m] of Object.entries(fieldErrors(parsed.error.issues))) errors[k.replace(/\.\d+$/, '')] ??= m;
  if (parsed.success && !parsed.data.locales.includes(parsed.data.defaultLocale))
    errors.defaultLocale = 'errors.admin_default_locale';
  if (Object.keys(errors).length || !parsed.success) return { values, errors, ownerOnly };
  return { values, settings: parsed.data, errors, ownerOnly };
}

export const SETTINGS_LOCALES = LOCALES;
