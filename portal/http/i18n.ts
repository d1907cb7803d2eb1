// Locale strings live in templates/locales/<locale>/*.json (one file per area: common,
// guest, admin, sms), merged; the guest's language comes
// from ?lang=, then the foyer_lang cookie, then Accept-Language, then the venue default.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES, type Locale } from '../venues/settings.ts';

export type Strings = Record<string, string>;

const cache = new Map<string, Strings>();

export function localeStrings(templatesDir: string, locale: Locale): Strings {
  const key = `${templatesDir}:${locale}`;
  let s = cache.get(key);
  if (!s) {
    const dir = join(templatesDir, 'locales', locale);
    s = {};
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort())
      flatten(JSON.parse(readFileSync(join(dir, f), 'utf8')), '', s);
    cache.set(key, s);
  }
  return s;
}

function flatten(obj: Record<string, unknown>, prefix = '', out: Strings = {}): Strings {
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object') flatten(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else out[`${prefix}${k}`] = String(v);
  }
  return out;
}

/**
 * "Try again in {{minutes}} minutes" with params; a missing key shows itself, never crashes.
 * With the locale known:
 * - a key whose strings are split by plural category (`"guest_code_wrong": {"one": …,
 *   "other": …}`) takes the form the locale's plural rules (Intl.PluralRules) choose for
 *   params.count, or else for the first number among the params;
 * - `{{country:region}}` names an ISO 3166 code in full ("Turkey", "Турция"), and
 *   `{{countries:regions}}` a comma-separated list of codes as "A, B or C" (the code EEA
 *   reads as the locale's `region.EEA`).
 */
export function translate(
  strings: Strings,
  key: string,
  params: Record<string, string | number> = {},
  locale?: Locale,
): string {
  let template = strings[key];
  if (template === undefined && locale && strings[`${key}.other`] !== undefined) {
    const n =
      typeof params.count === 'number' ? params.count : Object.values(params).find((v) => typeof v === 'number');
    template =
      (n === undefined ? undefined : strings[`${key}.${new Intl.PluralRules(locale).select(n)}`]) ??
      strings[`${key}.other`];
  }
  template ??= key;
  // Most strings have no {{…}}: nothing to replace (and no regular expression to run).
  if (!template.includes('{{')) return template;
  return template.replace(/\{\{\s*(\w+)(?::(region|regions))?\s*\}\}/g, (_, name: string, format?: string) => {
    if (!(name in params)) return '';
    const v = String(params[name]);
    if (!format || !locale) return v;
    const regions = new Intl.DisplayNames(locale, { type: 'region', fallback: 'code' });
    const one = (code: string) => (code === 'EEA' ? (strings['region.EEA'] ?? code) : (regions.of(code) ?? code));
    if (format === 'region') return one(v);
    return new Intl.ListFormat(locale, { type: 'disjunction' }).format(v.split(',').filter(Boolean).map(one));
  });
}

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

export function negotiateLocale(opts: {
  query?: unknown;
  cookie?: unknown;
  acceptLanguage?: string;
  allowed: readonly Locale[];
  fallback: Locale;
}): Locale {
  for (const c of [opts.query, opts.cookie]) if (isLocale(c) && opts.allowed.includes(c)) return c;
  // Every screen 1 asks, and a network's browsers send a handful of distinct headers: the
  // answer is kept per header, venue languages and fallback, in a bounded map (the header is
  // the sender's to choose, so the map is emptied when full rather than allowed to grow, and
  // a header longer than any browser sends is not kept).
  if ((opts.acceptLanguage?.length ?? 0) > 256)
    return fromAcceptLanguage(opts.acceptLanguage, opts.allowed, opts.fallback);
  const key = `${opts.allowed.join(',')}|${opts.fallback}|${opts.acceptLanguage ?? ''}`;
  let locale = negotiated.get(key);
  if (locale === undefined) {
    if (negotiated.size >= 512) negotiated.clear();
    negotiated.set(key, (locale = fromAcceptLanguage(opts.acceptLanguage, opts.allowed, opts.fallback)));
  }
  return locale;
}

const negotiated = new Map<string, Locale>();

function fromAcceptLanguage(acceptLanguage: string | undefined, allowed: readonly Locale[], fallback: Locale): Locale {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: tag.toLowerCase().split('-')[0], q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((x) => x.lang && x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { lang } of ranked) if (isLocale(lang) && allowed.includes(lang)) return lang;
  return allowed.includes(fallback) ? fallback : allowed[0];
}
