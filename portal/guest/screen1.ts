// Entry from the NAS redirect and screen 1 (number, optional fields, consent boxes).
// Showing screen 1 writes nothing: what the entry knows travels in a signed entry token
// (portal/signup/entry-token.ts). The flow is written when a submitted screen 1 sends its
// code, and belongs to the browser that submitted it.
import type { Context } from 'koa';
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import type { Handoff } from '../access-points/handoff.ts';
import { FoyerError } from '../errors.ts';
import { csrfToken } from '../http/csrf.ts';
import { verificationState } from '../verification/verifications.ts';
import { readRedirect } from '../access-points/nas-for-handoff.ts';
import { readStartForm, type FieldProblem } from '../signup/start-form.ts';
import { ENTRY_TTL_MS, entryToken, readEntryToken, type Entry } from '../signup/entry-token.ts';
import { startSignUp } from '../signup/start.ts';
import type { Submission } from '../signup/submission.ts';
import {
  clientIp,
  cookieFlow,
  flowFor,
  formBody,
  ownFlow,
  pickLocale,
  rememberDestination,
  rememberedDestination,
  rememberFlow,
  seeOther,
  singleQuery,
} from './request.ts';
import { guestState } from './with-flow.ts';
import { codeText } from './sms-texts.ts';
import { resumeAt } from '../signup/resume.ts';
import { refusalToShow } from '../signup/refusal.ts';
import { heldFlow } from '../signup/held-flow.ts';
import type { EntryRead } from './after-login.ts';

/** Where screen 1 starts from: the flow id it will have and the NAS hand-off. */
type Origin = Pick<Entry, 'id' | 'handoff'>;

export async function entry(app: AppContext, kctx: Context): Promise<void> {
  const { venue } = guestState(kctx);
  const query = singleQuery(kctx);
  const locale = pickLocale(kctx, venue);
  // What the after-login check already read for a browser with a flow cookie (after-login.ts).
  const read = kctx.state.entryRead as EntryRead | undefined;
  // The adapter of the venue's NAS, with its settings; refuses login hosts the venue did not configure.
  const { handoff } = read ?? (await readRedirect(app, venue, query));
  const now = app.now();
  // This browser's own flow (its cookie), back from the SMS app or after a lost hand-back.
  const own = read ? read.own : await ownFlow(app, kctx, venue);
  const resume = own && (await resumeAt(app, own, handoff.clientMac, now));
  if (resume) return seeOther(kctx, `/p/${venue.slug}/${resume}?f=${own.id}`);
  rememberDestination(app, kctx, handoff.originalUrl, ENTRY_TTL_MS);
  await showStart(app, kctx, venue, { id: undefined, handoff }, locale, {
    notice: await refusalNotice(app, venue, handoff, locale, now),
  });
}

/** Why the NAS refused this device here, if that is what brought the guest back, in the guest's language. */
async function refusalNotice(
  app: AppContext,
  venue: Venue,
  h: Handoff,
  locale: Locale,
  now: number,
): Promise<string | undefined> {
  const reason = await refusalToShow(app.db, venue.id, h.clientMac, now);
  return reason && app.views.t(locale, `access.reject.${reason}`);
}

/** Screen 1 again: from its entry token (a language link, the way back from the terms) or for the browser's own flow. */
export async function startPage(app: AppContext, kctx: Context): Promise<void> {
  const { venue } = guestState(kctx);
  const now = app.now();
  const t = kctx.query.t;
  let origin: Origin;
  let shownLocale: string | null;
  if (typeof t === 'string') {
    const e = readEntryToken(app.keys, t, venue.id, now);
    origin = e;
    shownLocale = e.locale;
  } else {
    const flow = await flowFor(app, kctx, venue);
    if (flow.state === 'done') return seeOther(kctx, `/p/${venue.slug}/online?f=${flow.id}`);
    origin = flow;
    shownLocale = flow.locale;
  }
  const locale = pickLocale(kctx, venue, { locale: shownLocale });
  // The refusal notice stays through a language switch or a reload.
  await showStart(app, kctx, venue, origin, locale, {
    notice: await refusalNotice(app, venue, origin.handoff, locale, now),
  });
}

/** After withCsrf: the CSRF token is bound to the flow id the page names, which its entry token must name too. */
export async function submitStart(app: AppContext, kctx: Context): Promise<void> {
  const { venue } = guestState(kctx);
  const body = formBody(kctx);
  const now = app.now();
  const entry = readEntryToken(app.keys, body.t, venue.id, now);
  const shown = { ...entry, handoff: { ...entry.handoff, originalUrl: rememberedDestination(kctx) } };
  if (body.f !== shown.id)
    throw new FoyerError(
      'guest_entry_invalid',
      400,
      'This page was changed or did not come from this portal. Please connect to the Wi-Fi again.',
    );
  // Submitted before (a new number, or after a refused send): continued only by the browser that holds the flow.
  const { own: existing, idTaken } = await heldFlow(app, venue.id, shown.id, cookieFlow(kctx), now);
  if (existing?.state === 'done') return seeOther(kctx, `/p/${venue.slug}/online?f=${existing.id}`);
  const locale = pickLocale(kctx, venue, { locale: existing?.locale ?? shown.locale });
  const values = pickValues(body);
  const origin: Origin = existing ?? shown;

  // The version the guest read is the one their page's token names (it may be older than today's).
  const version = body.v === shown.versionId ? await app.consentPages.storedVersion(shown.versionId) : undefined;
  if (!version || version.venueId !== venue.id) {
    return showStart(app, kctx, venue, origin, locale, {
      values,
      problems: [{ field: '', code: 'guest_version_unknown' }],
      status: 400,
    });
  }
  const form = readStartForm(venue, version.content.venue, body, now);
  if (!form.ok) return showStart(app, kctx, venue, origin, locale, { values, problems: form.problems, status: 400 });

  const submission: Submission = {
    e164: form.e164,
    callingCode: form.callingCode,
    details: form.details,
    choices: form.choices,
    versionId: version.id,
    locale,
    page: shown.id,
    entry: body.t as string,
  };
  const out = await startSignUp(app, venue, {
    shown,
    own: existing,
    idTaken,
    submission,
    clientIp: clientIp(kctx) || null,
    userAgent: kctx.get('user-agent').slice(0, 1024) || null,
    text: (code, minutes) => codeText(app.views, venue, locale, code, minutes),
  });
  if (out.ok) {
    if (out.secret) rememberFlow(app, kctx, { id: out.flowId, secret: out.secret, expiresAt: out.expiresAt });
    return seeOther(kctx, `/p/${venue.slug}/code?f=${out.flowId}`);
  }
  if (out.reason === 'sms_failed')
    return showStart(app, kctx, venue, origin, locale, {
      values,
      problems: [{ field: '', code: 'guest_sms_failed' }],
      status: 503,
    });
  return tooMany(
    app,
    kctx,
    venue,
    origin,
    locale,
    values,
    out.reason === 'blocked' ? 'guest_send_blocked' : 'guest_too_many_starts',
    out.retryAt,
    now,
  );
}

function tooMany(
  app: AppContext,
  kctx: Context,
  venue: Venue,
  origin: Origin,
  locale: Locale,
  values: Record<string, string | boolean>,
  code: string,
  retryAt: number,
  now: number,
) {
  const minutes = Math.max(1, Math.ceil((retryAt - now) / 60_000));
  kctx.set('Retry-After', String(Math.max(1, Math.ceil((retryAt - now) / 1000))));
  return showStart(app, kctx, venue, origin, locale, {
    values,
    problems: [{ field: '', code, params: { minutes } }],
    status: 429,
  });
}

function pickValues(body: Record<string, unknown>): Record<string, string | boolean> {
  const s = (k: string, max: number) => (typeof body[k] === 'string' ? (body[k] as string).slice(0, max) : '');
  return {
    phone: s('phone', 40),
    name: s('name', 100),
    email: s('email', 254),
    birth_date: s('birth_date', 10),
    consent_terms: body.consent_terms === 'yes',
    consent_sms: body.consent_sms === 'yes',
    consent_email: body.consent_email === 'yes',
  };
}

/** Screen 1 from today's page version for the locale, with a fresh entry token (nothing written). */
export async function showStart(
  app: AppContext,
  kctx: Context,
  venue: Venue,
  origin: { id: string | undefined; handoff: Handoff },
  locale: Locale,
  extra: {
    values?: Record<string, string | boolean>;
    problems?: FieldProblem[];
    status?: number;
    notice?: string;
  } = {},
): Promise<void> {
  const v = await app.consentPages.currentVersion(venue, locale);
  // The page the guest asked for stays out of the token (see rememberDestination).
  const handoff = { ...origin.handoff, originalUrl: undefined };
  const { token, entry: e } = entryToken(app.keys, {
    id: origin.id,
    venueId: venue.id,
    versionId: v.id,
    locale,
    handoff,
    issuedAt: app.now(),
  });
  const errors = (extra.problems ?? []).map((p) => ({
    field: p.field || undefined,
    message: app.views.t(locale, `errors.${p.code}`, p.params),
  }));
  kctx.status = extra.status ?? 200;
  // What kctx.type = 'html' sets, without looking the type up for every probe.
  kctx.set('Content-Type', 'text/html; charset=utf-8');
  kctx.body = app.consentPages.renderStartBytes(v.id, v.content, {
    flowId: e.id,
    csrf: csrfToken(app.keys, e.id),
    entry: token,
    values: extra.values,
    errors,
    notice: extra.notice,
  });
}
