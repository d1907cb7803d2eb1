// The consent screens as a template version: the template sources, the venue's wording
// and branding, and the locale strings, captured as data. Screen 1 and the terms and
// privacy pages are always rendered FROM such a version, live and for evidence alike,
// so what an auditor gets years later is byte for byte what the guest was served.
import nunjucks from 'nunjucks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES_DIR } from '../http/views.ts';
import { localeStrings, translate, type Strings } from '../http/i18n.ts';
import { csrfToken } from '../http/csrf.ts';
import type { Keys } from '../crypto/keys.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale, VenueSettings, Wording } from '../venues/settings.ts';
import { loadTemplateVersion, registerTemplateVersion } from './template-versions.ts';
import type { Queryable } from '../store/db.ts';
import { sha256 } from './event.ts';
import { assetHrefs } from '../guest/assets.ts';
import { phoneHint } from '../guest/phone-hint.ts';

export const VERSIONED_TEMPLATES = ['guest/layout.njk', 'guest/start.njk', 'guest/legal.njk'] as const;
export const CONTENT_KIND = 'foyer-guest-consent/1';

export interface ConsentContent {
  kind: typeof CONTENT_KIND;
  locale: Locale;
  templates: Record<string, string>;
  strings: Strings;
  languages: { code: Locale; name: string }[];
  venue: {
    slug: string;
    name: string;
    country: string;
    contact: string;
    fields: VenueSettings['fields'];
    offers: VenueSettings['offers'];
    branding: VenueSettings['branding'];
    retentionMonths: number;
    /** The hint under the number, as rendered when the version was made (phone-hint.ts); older versions have none. */
    phoneHint?: string;
  };
  wording: Wording;
  assets: { css: string; theme: string };
}

/** What a render adds to the version: the request's own values. */
export interface StartVars {
  flowId: string;
  csrf: string;
  /** The signed entry token (portal/signup/entry-token.ts); pages served before it existed have none. */
  entry?: string;
  values?: Record<string, string | boolean | undefined>;
  errors?: { field?: string; message: string }[];
  notice?: string;
}

let sources: Record<string, string> | undefined;
function templateSources(): Record<string, string> {
  // Read once: a running process serves the templates it started with.
  sources ??= Object.fromEntries(VERSIONED_TEMPLATES.map((n) => [n, readFileSync(join(TEMPLATES_DIR, n), 'utf8')]));
  return sources;
}

export function buildContent(venue: Venue, locale: Locale): ConsentContent {
  const all = localeStrings(TEMPLATES_DIR, locale);
  const strings = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('guest.') || k.startsWith('errors.guest_')));
  const s = venue.settings;
  return {
    kind: CONTENT_KIND,
    locale,
    templates: templateSources(),
    strings,
    languages: s.locales.map((code) => ({ code, name: localeStrings(TEMPLATES_DIR, code)['lang.name'] ?? code })),
    venue: { slug: venue.slug, name: venue.name, country: venue.country, contact: s.contact, fields: s.fields, offers: s.offers, branding: s.branding, retentionMonths: s.retentionMonths, phoneHint: phoneHint(all, locale, venue.country, s.allowedCountries) },
    wording: s.wording[locale] ?? {},
    assets: assetHrefs(venue),
  };
}

// Hashing the content on every hit would cost more than rendering; the key is cheap.
const versionMemo = new Map<string, { id: string; content: ConsentContent }>();

/** Registers (once) and returns the version screen 1 is about to be rendered from. */
// The same parsed venue object (reused while its row is unchanged) skips even the key.
const byVenueObject = new WeakMap<Venue, Partial<Record<Locale, { id: string; content: ConsentContent }>>>();

export async function currentVersion(db: Queryable, venue: Venue, locale: Locale): Promise<{ id: string; content: ConsentContent }> {
  const quick = byVenueObject.get(venue)?.[locale];
  if (quick) return quick;
  const key = `${venue.id}|${locale}|${venue.name}|${venue.slug}|${venue.country}|${JSON.stringify(venue.settings)}`;
  const memo = versionMemo.get(key);
  if (memo) return remember(venue, locale, memo);
  const content = buildContent(venue, locale);
  const id = await registerTemplateVersion(db, venue.id, content);
  if (versionMemo.size > 500) versionMemo.clear();
  const v = { id, content };
  versionMemo.set(key, v);
  return remember(venue, locale, v);
}

function remember(venue: Venue, locale: Locale, v: { id: string; content: ConsentContent }) {
  const m = byVenueObject.get(venue) ?? {};
  m[locale] = v;
  byVenueObject.set(venue, m);
  return v;
}

// Stored versions never change, so a parsed copy can be kept (screen 1 of a busy venue
// and every sign-up on it name the same few versions).
type Stored = { id: string; venueId: string; content: ConsentContent };
const storedMemos = new WeakMap<Queryable, Map<string, Stored>>();

/**
 * `memoFor`: the database whose memo to use when `db` is one of its transactions (a new
 * object each time, whose own memo would be empty on every sign-up).
 */
export async function storedVersion(db: Queryable, id: string, memoFor: Queryable = db): Promise<Stored | undefined> {
  let storedMemo = storedMemos.get(memoFor);
  if (!storedMemo) storedMemos.set(memoFor, (storedMemo = new Map()));
  const hit = storedMemo.get(id);
  if (hit) return hit;
  const v = await loadTemplateVersion<ConsentContent>(db, id);
  if (!v) return undefined;
  if (storedMemo.size > 500) storedMemo.clear();
  const entry = { id: v.id, venueId: v.venueId, content: v.content };
  storedMemo.set(id, entry);
  return entry;
}

const envs = new Map<string, { env: nunjucks.Environment; t: (k: string, p?: Record<string, string | number>) => string }>();

function envFor(versionId: string, content: ConsentContent) {
  let e = envs.get(versionId);
  if (!e) {
    const loader = {
      getSource(name: string) {
        const src = content.templates[name];
        if (src === undefined) throw new Error(`template ${name} is not part of version ${versionId}`);
        return { src, path: name, noCache: false };
      },
    };
    const env = new nunjucks.Environment(loader as unknown as nunjucks.ILoader, { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true });
    e = { env, t: (k, p) => translate(content.strings, k, p) };
    if (envs.size > 200) envs.clear();
    envs.set(versionId, e);
  }
  return e;
}

/** The text of each consent box as the guest reads it; its hash goes into the ledger. */
export function consentTexts(content: ConsentContent): { terms: string; sms: string; email: string } {
  const t = (k: string, p?: Record<string, string | number>) => translate(content.strings, k, p);
  const p = { venue: content.venue.name, contact: content.venue.contact };
  const rates = t('guest.consent.rates');
  const w = content.wording;
  return {
    terms: t('guest.consent.terms.text', p),
    sms: `${w.sms ?? t('guest.consent.sms.text', p)} ${rates}`,
    email: `${w.email ?? t('guest.consent.email.text', p)} ${rates}`,
  };
}

export function consentTextHash(content: ConsentContent, purpose: 'terms' | 'sms' | 'email'): string {
  const texts = consentTexts(content);
  const label = translate(content.strings, `guest.consent.${purpose}.label`);
  return sha256(`${label}\n${texts[purpose]}`);
}

const OPTIONAL_FIELDS = [
  { id: 'name', key: 'name', type: 'text', autocomplete: 'name', max: 100 },
  { id: 'email', key: 'email', type: 'email', autocomplete: 'email', max: 254 },
  { id: 'birth_date', key: 'birthDate', type: 'date', autocomplete: 'bday', max: 10 },
] as const;

// Screen 1 writes nothing, so its language links carry the entry token, not a flow.
const switchBase = (slug: string, flowId: string, entry?: string) =>
  entry === undefined ? `/p/${slug}/start?f=${encodeURIComponent(flowId)}&` : `/p/${slug}/start?t=${encodeURIComponent(entry)}&`;

// A flow id (UUID) and a CSRF token (base64url) pass through escaping and URL encoding
// unchanged, so a clean screen 1 can be rendered once per version with stand-ins and
// the stand-ins replaced: the same bytes as a full render, at a fraction of the cost.
const FLOW_MARK = 'ffffffff-0000-4000-8000-f10f10f10f10';
const CSRF_MARK = 'CSRF_MARK_e3b0c44298fc1c149afbf4c8996fb92427ae41e4';
const ENTRY_MARK = 'ENTRY_MARK_5df6e0e2761359d30a8275058e299fcc0381534545f55cf4';
const SAFE_ID = /^[0-9a-f-]{36}$/;
const SAFE_TOKEN = /^[A-Za-z0-9_-]{1,100}$/;
const SAFE_ENTRY = /^[A-Za-z0-9_.-]{1,4000}$/;
const skeletons = new Map<string, string[]>();

export function renderStart(versionId: string, content: ConsentContent, vars: StartVars): string {
  const clean = !vars.values && !(vars.errors && vars.errors.length) && !vars.notice;
  const entry = vars.entry;
  if (clean && SAFE_ID.test(vars.flowId) && SAFE_TOKEN.test(vars.csrf) && (entry === undefined || SAFE_ENTRY.test(entry))) {
    const key = `${versionId}|${entry === undefined ? 'flow' : 'entry'}`;
    let parts = skeletons.get(key);
    if (!parts) {
      parts = renderFull(versionId, content, { flowId: FLOW_MARK, csrf: CSRF_MARK, entry: entry === undefined ? undefined : ENTRY_MARK }).split(FLOW_MARK);
      if (skeletons.size > 200) skeletons.clear();
      skeletons.set(key, parts);
    }
    const html = parts.join(vars.flowId).replaceAll(CSRF_MARK, vars.csrf);
    return entry === undefined ? html : html.replaceAll(ENTRY_MARK, entry);
  }
  return renderFull(versionId, content, vars);
}

/** Every render through the template engine; renderStart's shortcut must equal it. */
export function renderFull(versionId: string, content: ConsentContent, vars: StartVars): string {
  const { env, t } = envFor(versionId, content);
  const fields = content.venue.fields;
  const modes: Record<string, string> = { name: fields.name, email: fields.email, birth_date: fields.birthDate };
  const fieldErrors = Object.fromEntries((vars.errors ?? []).filter((e) => e.field).map((e) => [e.field, e.message]));
  return env.render('guest/start.njk', {
    locale: content.locale,
    t,
    venue: content.venue,
    w: content.wording,
    languages: content.languages,
    assets: content.assets,
    switchBase: switchBase(content.venue.slug, vars.flowId, vars.entry),
    version: versionId,
    texts: consentTexts(content),
    optionalFields: OPTIONAL_FIELDS.filter((f) => modes[f.id] !== 'off').map((f) => ({ ...f, mode: modes[f.id] })),
    flowId: vars.flowId,
    csrf: vars.csrf,
    entry: vars.entry,
    values: vars.values ?? {},
    errors: vars.errors ?? [],
    fieldErrors,
    notice: vars.notice,
  });
}

/** `back`: the way back to screen 1, by its entry token (t) or, on pages served before those, a flow id (f). */
export function renderLegal(versionId: string, content: ConsentContent, page: 'terms' | 'privacy', back?: { f?: string; t?: string }): string {
  const { env, t } = envFor(versionId, content);
  const p = { venue: content.venue.name, contact: content.venue.contact, months: content.venue.retentionMonths };
  const body = (page === 'terms' ? content.wording.termsPage : content.wording.privacyPage) ?? t(`guest.legal.${page}Body`, p);
  return env.render('guest/legal.njk', {
    locale: content.locale,
    t,
    venue: content.venue,
    languages: content.languages,
    assets: content.assets,
    heading: t(`guest.legal.${page}Heading`),
    paragraphs: body.split(/\n\s*\n/).map((s) => s.trim()).filter(Boolean),
    backHref: back?.t ? `/p/${content.venue.slug}/start?t=${encodeURIComponent(back.t)}` : back?.f ? `/p/${content.venue.slug}/start?f=${encodeURIComponent(back.f)}` : undefined,
  });
}

/**
 * Screen 1 as served to a flow: what the evidence command reproduces. `entry` is the
 * token the page carried (recorded in the event's evidence); pages served before screen 1
 * stopped writing carried the flow id alone.
 */
export function renderEvidence(keys: Keys, versionId: string, content: ConsentContent, flowId: string, entry?: string): string {
  if (content.kind !== CONTENT_KIND) throw new Error(`template version ${versionId} is not a guest consent page (${String(content.kind)})`);
  return renderStart(versionId, content, { flowId, csrf: csrfToken(keys, flowId), entry });
}

