// The consent screens as a template version: the template sources, the venue's wording
// and branding, and the locale strings, captured as data. Screen 1 and the terms and
// privacy pages are always rendered FROM such a version, live and for evidence alike,
// so what an auditor gets years later is byte for byte what the guest was served.
import nunjucks from 'nunjucks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Venue } from '../venues/venues.ts';
import type { Locale, VenueSettings, Wording } from '../venues/settings.ts';
import { TemplateVersions, loadTemplateVersion } from './template-versions.ts';
import type { Queryable } from '../store/db.ts';
import { PURPOSES, sha256, type Purpose } from './event.ts';

export type Strings = Record<string, string>;
type Params = Record<string, string | number>;

/**
 * What the pages are made of, handed in by portal/context.ts: the ledger knows no HTTP,
 * so the template folder, the locale strings and their translate function, the venue's
 * asset links and the CSRF token come from the web layer as plain values and functions.
 */
export interface PageSources {
  templatesDir: string;
  /** Every locale string of the locale, flattened (templates/locales/<locale>/*.json). */
  strings(locale: Locale): Strings;
  translate(strings: Strings, key: string, params?: Params, locale?: Locale): string;
  assetHrefs(venue: Venue): { css: string; theme: string };
  /** The CSRF token a page served to this flow carries. */
  csrfToken(flowId: string): string;
  /** Screen 1's hint under the number for the venue's accepted countries (guest/phone-hint.ts). */
  phoneHint(strings: Strings, locale: Locale, country: string, allowed: readonly string[]): string;
}

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

type Version = { id: string; content: ConsentContent };
type Stored = Version & { venueId: string };
type Env = { env: nunjucks.Environment; t: (k: string, p?: Params) => string };

const OPTIONAL_FIELDS = [
  { id: 'name', key: 'name', type: 'text', autocomplete: 'name', max: 100 },
  { id: 'email', key: 'email', type: 'email', autocomplete: 'email', max: 254 },
  { id: 'birth_date', key: 'birthDate', type: 'date', autocomplete: 'bday', max: 10 },
] as const;

// Screen 1 writes nothing, so its language links carry the entry token, not a flow.
const switchBase = (slug: string, flowId: string, entry?: string) =>
  entry === undefined
    ? `/p/${slug}/start?f=${encodeURIComponent(flowId)}&`
    : `/p/${slug}/start?t=${encodeURIComponent(entry)}&`;

// A flow id (UUID) and a CSRF token (base64url) pass through escaping and URL encoding
// unchanged, so a clean screen 1 can be rendered once per version with stand-ins and
// the stand-ins replaced: the same bytes as a full render, at a fraction of the cost.
const FLOW_MARK = 'ffffffff-0000-4000-8000-f10f10f10f10';
const CSRF_MARK = 'CSRF_MARK_e3b0c44298fc1c149afbf4c8996fb92427ae41e4';
const ENTRY_MARK = 'ENTRY_MARK_5df6e0e2761359d30a8275058e299fcc0381534545f55cf4';
const SAFE_ID = /^[0-9a-f-]{36}$/;
const SAFE_TOKEN = /^[A-Za-z0-9_-]{1,100}$/;
const SAFE_ENTRY = /^[A-Za-z0-9_.-]{1,4000}$/;
const MARKS = new RegExp(`(${FLOW_MARK}|${CSRF_MARK}|${ENTRY_MARK})`);
type Slot = 'flow' | 'csrf' | 'entry';
const SLOT_OF: Record<string, Slot> = { [FLOW_MARK]: 'flow', [CSRF_MARK]: 'csrf', [ENTRY_MARK]: 'entry' };
/** A page cut at its stand-ins, as UTF-8: bytes[i], the value of slots[i], bytes[i + 1], … */
type Skeleton = { bytes: Buffer[]; slots: Slot[] };
const slotValues = (vars: StartVars): Record<Slot, string> => ({
  flow: vars.flowId,
  csrf: vars.csrf,
  entry: vars.entry ?? '',
});

/**
 * The consent pages of one running Foyer (ctx.consentPages, made in buildContext): page
 * versions, their rendering and the caches that make screen 1 cheap. Every cache here is
 * keyed by what decides its value (a version id is the hash of its content; a venue's
 * current version is keyed by its whole published settings), so nothing can go stale;
 * the one write, storing a version, fills the caches itself (TemplateVersions.register).
 * One object per context: tests' contexts, and their databases, share nothing.
 */
export class ConsentPages {
  readonly versions: TemplateVersions;
  private templates: Record<string, string> | undefined;
  // Hashing the content on every hit would cost more than rendering; the key is cheap.
  private versionMemo = new Map<string, Version>();
  // The same parsed venue object (reused while its row is unchanged) skips even the key.
  private byVenueObject = new WeakMap<Venue, Partial<Record<Locale, Version>>>();
  // Stored versions never change, so a parsed copy can be kept (screen 1 of a busy venue
  // and every sign-up on it name the same few versions).
  private storedMemo = new Map<string, Stored>();
  private envs = new Map<string, Env>();
  private skeletons = new Map<string, Skeleton>();
  // The hash of each purpose's text as the portal shows it today, per venue, locale and
  // published settings (the key: nothing is rendered until the venue publishes something new).
  private hashMemo = new Map<string, Record<Purpose, string>>();
  // consentTextHash per content object (a WeakMap: it lasts as long as the object does).
  private textHashes = new WeakMap<ConsentContent, Record<Purpose, string>>();

  constructor(
    private readonly db: Queryable,
    private readonly sources: PageSources,
  ) {
    this.versions = new TemplateVersions(db);
  }

  private templateSources(): Record<string, string> {
    // Read once: a running process serves the templates it started with.
    this.templates ??= Object.fromEntries(
      VERSIONED_TEMPLATES.map((n) => [n, readFileSync(join(this.sources.templatesDir, n), 'utf8')]),
    );
    return this.templates;
  }

  /** Everything that decides what a guest reads on the consent screens, today. */
  buildContent(venue: Venue, locale: Locale): ConsentContent {
    const all = this.sources.strings(locale);
    const strings = Object.fromEntries(
      Object.entries(all).filter(([k]) => k.startsWith('guest.') || k.startsWith('errors.guest_')),
    );
    const s = venue.settings;
    return {
      kind: CONTENT_KIND,
      locale,
      templates: this.templateSources(),
      strings,
      languages: s.locales.map((code) => ({ code, name: this.sources.strings(code)['lang.name'] ?? code })),
      venue: {
        slug: venue.slug,
        name: venue.name,
        country: venue.country,
        contact: s.contact,
        fields: s.fields,
        offers: s.offers,
        branding: s.branding,
        retentionMonths: s.retentionMonths,
        phoneHint: this.sources.phoneHint(all, locale, venue.country, s.allowedCountries),
      },
      wording: s.wording[locale] ?? {},
      assets: this.sources.assetHrefs(venue),
    };
  }

  /** Registers (once) and returns the version screen 1 is about to be rendered from. */
  async currentVersion(venue: Venue, locale: Locale): Promise<Version> {
    const quick = this.byVenueObject.get(venue)?.[locale];
    if (quick) return quick;
    const key = `${venue.id}|${locale}|${venue.name}|${venue.slug}|${venue.country}|${JSON.stringify(venue.settings)}`;
    const memo = this.versionMemo.get(key);
    if (memo) return this.remember(venue, locale, memo);
    const content = this.buildContent(venue, locale);
    const id = await this.versions.register(venue.id, content);
    if (this.versionMemo.size > 500) this.versionMemo.clear();
    const v = { id, content };
    this.versionMemo.set(key, v);
    return this.remember(venue, locale, v);
  }

  private remember(venue: Venue, locale: Locale, v: Version): Version {
    const m = this.byVenueObject.get(venue) ?? {};
    m[locale] = v;
    this.byVenueObject.set(venue, m);
    return v;
  }

  /** A stored version by id. `db`: a transaction of this context's database, to read inside it. */
  async storedVersion(id: string, db: Queryable = this.db): Promise<Stored | undefined> {
    const hit = this.storedMemo.get(id);
    if (hit) return hit;
    const v = await loadTemplateVersion<ConsentContent>(db, id);
    if (!v) return undefined;
    if (this.storedMemo.size > 500) this.storedMemo.clear();
    const entry = { id: v.id, venueId: v.venueId, content: v.content };
    this.storedMemo.set(id, entry);
    return entry;
  }

  private envFor(versionId: string, content: ConsentContent): Env {
    let e = this.envs.get(versionId);
    if (!e) {
      const loader = {
        getSource(name: string) {
          const src = content.templates[name];
          if (src === undefined) throw new Error(`template ${name} is not part of version ${versionId}`);
          return { src, path: name, noCache: false };
        },
      };
      const env = new nunjucks.Environment(loader as unknown as nunjucks.ILoader, {
        autoescape: true,
        throwOnUndefined: false,
        trimBlocks: true,
        lstripBlocks: true,
      });
      e = { env, t: (k, p) => this.sources.translate(content.strings, k, p) };
      if (this.envs.size > 200) this.envs.clear();
      this.envs.set(versionId, e);
    }
    return e;
  }

  /** The text of each consent box as the guest reads it; its hash goes into the ledger. */
  consentTexts(content: ConsentContent): { terms: string; sms: string; email: string } {
    const t = (k: string, p?: Params) => this.sources.translate(content.strings, k, p);
    const p = { venue: content.venue.name, contact: content.venue.contact };
    const rates = t('guest.consent.rates');
    const w = content.wording;
    return {
      terms: t('guest.consent.terms.text', p),
      sms: `${w.sms ?? t('guest.consent.sms.text', p)} ${rates}`,
      email: `${w.email ?? t('guest.consent.email.text', p)} ${rates}`,
    };
  }

  consentTextHash(content: ConsentContent, purpose: Purpose): string {
    // Every sign-up hashes each purpose's text of its (stored, shared, never changed)
    // version: kept per content object, so a version's texts are rendered and hashed once.
    let hashes = this.textHashes.get(content);
    if (!hashes) {
      const texts = this.consentTexts(content);
      const hash = (p: Purpose) =>
        sha256(`${this.sources.translate(content.strings, `guest.consent.${p}.label`)}\n${texts[p]}`);
      hashes = { terms: hash('terms'), sms: hash('sms'), email: hash('email') };
      this.textHashes.set(content, hashes);
    }
    return hashes[purpose];
  }

  /** Each purpose's text hash on the venue's page as it is published today (re-consent compares against it). */
  currentTextHashes(venue: Venue, locale: Locale): Record<Purpose, string> {
    const key = `${venue.id}|${locale}|${venue.name}|${JSON.stringify(venue.settings)}`;
    let h = this.hashMemo.get(key);
    if (!h) {
      const content = this.buildContent(venue, locale);
      h = Object.fromEntries(PURPOSES.map((p) => [p, this.consentTextHash(content, p)])) as Record<Purpose, string>;
      if (this.hashMemo.size > 500) this.hashMemo.clear();
      this.hashMemo.set(key, h);
    }
    return h;
  }

  /**
   * Whether consent to a purpose given under `textHash` still stands for the venue's page as
   * published today: the text is today's, or today's with one of the venue's former names
   * (settings.formerNames, set when a rename by the same controller was published).
   */
  stillAgreed(venue: Venue, locale: Locale, purpose: Purpose, textHash: string): boolean {
    if (this.currentTextHashes(venue, locale)[purpose] === textHash) return true;
    return (venue.settings.formerNames ?? []).some(
      (name) => this.currentTextHashes({ ...venue, name }, locale)[purpose] === textHash,
    );
  }

  /** renderStartBytes as text, for the pages that are not screen 1's hot path (preview, the stored copy). */
  renderStart(versionId: string, content: ConsentContent, vars: StartVars): string {
    return this.renderStartBytes(versionId, content, vars).toString('utf8');
  }

  /**
   * renderStart's page as the UTF-8 bytes a response sends: the skeleton's parts were
   * encoded once, so a page costs one copy instead of encoding (and measuring) 5 kB of
   * mostly Cyrillic or Latin text per request.
   */
  renderStartBytes(versionId: string, content: ConsentContent, vars: StartVars): Buffer {
    const sk = this.skeleton(versionId, content, vars);
    if (!sk) return Buffer.from(this.renderFull(versionId, content, vars));
    const values = slotValues(vars);
    const bytes: Partial<Record<Slot, Buffer>> = {};
    const list: Buffer[] = [sk.bytes[0]];
    for (let i = 0; i < sk.slots.length; i++) {
      const slot = sk.slots[i];
      list.push((bytes[slot] ??= Buffer.from(values[slot], 'latin1')), sk.bytes[i + 1]);
    }
    return Buffer.concat(list);
  }

  /**
   * The page rendered once with stand-ins for the request's values, cut at each stand-in;
   * undefined when the page has more than those (form values, errors) or a value that is
   * not plainly safe to paste. A refusal notice is one of a few fixed sentences per
   * locale, so it is part of the key and rendered into the skeleton itself.
   */
  private skeleton(versionId: string, content: ConsentContent, vars: StartVars): Skeleton | undefined {
    const entry = vars.entry;
    if (
      vars.values ||
      (vars.errors && vars.errors.length) ||
      !SAFE_ID.test(vars.flowId) ||
      !SAFE_TOKEN.test(vars.csrf) ||
      (entry !== undefined && !SAFE_ENTRY.test(entry))
    )
      return undefined;
    const key = `${versionId}|${entry === undefined ? 'flow' : 'entry'}|${vars.notice ?? ''}`;
    let sk = this.skeletons.get(key);
    if (!sk) {
      const html = this.renderFull(versionId, content, {
        flowId: FLOW_MARK,
        csrf: CSRF_MARK,
        entry: entry === undefined ? undefined : ENTRY_MARK,
        notice: vars.notice,
      });
      const pieces = html.split(MARKS);
      sk = {
        bytes: pieces.filter((_, i) => i % 2 === 0).map((t) => Buffer.from(t)),
        slots: pieces.filter((_, i) => i % 2 === 1).map((m) => SLOT_OF[m]),
      };
      if (this.skeletons.size > 200) this.skeletons.clear();
      this.skeletons.set(key, sk);
    }
    return sk;
  }

  /** Every render through the template engine; renderStart's shortcut must equal it. */
  renderFull(versionId: string, content: ConsentContent, vars: StartVars): string {
    const { env, t } = this.envFor(versionId, content);
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
      texts: this.consentTexts(content),
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
  renderLegal(
    versionId: string,
    content: ConsentContent,
    page: 'terms' | 'privacy',
    back?: { f?: string; t?: string },
  ): string {
    const { env, t } = this.envFor(versionId, content);
    const p = { venue: content.venue.name, contact: content.venue.contact, months: content.venue.retentionMonths };
    const body =
      (page === 'terms' ? content.wording.termsPage : content.wording.privacyPage) ?? t(`guest.legal.${page}Body`, p);
    return env.render('guest/legal.njk', {
      locale: content.locale,
      t,
      venue: content.venue,
      languages: content.languages,
      assets: content.assets,
      heading: t(`guest.legal.${page}Heading`),
      paragraphs: body
        .split(/\n\s*\n/)
        .map((s) => s.trim())
        .filter(Boolean),
      backHref: back?.t
        ? `/p/${content.venue.slug}/start?t=${encodeURIComponent(back.t)}`
        : back?.f
          ? `/p/${content.venue.slug}/start?f=${encodeURIComponent(back.f)}`
          : undefined,
    });
  }

  /**
   * Screen 1 as served to a flow: what the evidence command reproduces. `entry` is the
   * token the page carried (recorded in the event's evidence); pages served before screen 1
   * stopped writing carried the flow id alone.
   */
  renderEvidence(versionId: string, content: ConsentContent, flowId: string, entry?: string): string {
    if (content.kind !== CONTENT_KIND)
      throw new Error(`template version ${versionId} is not a guest consent page (${String(content.kind)})`);
    return this.renderStart(versionId, content, { flowId, csrf: this.sources.csrfToken(flowId), entry });
  }
}
