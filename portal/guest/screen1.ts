// Entry from the NAS redirect and screen 1 (number, optional fields, consent boxes).
import type { Context } from 'koa';
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { csrfToken } from '../http/csrf.ts';
import { numberHash } from '../consent/subjects.ts';
import { issueCode } from '../verification/verifications.ts';
import { currentVersion, renderStart, storedVersion } from './consent-page.ts';
import { readRedirect } from '../access-points/nas-for-handoff.ts';
import { createFlow, macHash, markCodeSent, resumableFlowById, resumableFlowId, unusedGrantFlowId, saveSubmission, setFlowLocale, type Flow } from './flows.ts';
import { readStartForm, type FieldProblem } from './start-form.ts';
import { FLOW_COOKIE, clientIp, flowFor, formBody, pickLocale, rememberFlow, requireCsrf, singleQuery, venueFor } from './request.ts';
import { codeText } from './sms-texts.ts';
import type { SendKeys } from '../verification/limits.ts';
import { rejectSinceLastGrant, type RejectReason } from '../access/reject-reasons.ts';

/** A refusal older than this is not what brought the guest back to the portal. */
const REFUSAL_SHOWN_MS = 30 * 60_000;

export async function entry(app: AppContext, kctx: Context): Promise<void> {
  const venue = await venueFor(app, kctx);
  const query = singleQuery(kctx);
  let locale = pickLocale(kctx, venue);
  // The adapter of the venue's NAS, with its settings; refuses login hosts the venue did not configure.
  const { handoff } = await readRedirect(app, venue, query);
  const now = app.now();
  // Back from the SMS app within the code's lifetime: screen 2, no new SMS.
  const mac = macHash(app.keys, handoff.clientMac);
  const resume =
    (await resumableFlowId(app.db, venue.id, mac, now)) ??
    (await resumableFlowById(app.db, venue.id, kctx.cookies.get(FLOW_COOKIE, { signed: true }), mac, now));
  // Signed up, but the NAS never saw the credentials: the online page hands them back again.
  const unused = resume ? undefined : await unusedGrantFlowId(app.db, venue.id, mac, now);
  if (resume || unused) {
    kctx.cookies.set(FLOW_COOKIE, (resume ?? unused)!, { signed: true, httpOnly: true, sameSite: 'lax', path: '/p/', overwrite: true });
    kctx.redirect(resume ? `/p/${venue.slug}/code?f=${resume}` : `/p/${venue.slug}/online?f=${unused}`);
    kctx.status = 303;
    return;
  }
  // Read beside the flow's write rather than after it.
  const [flow, refused] = await Promise.all([
    createFlow(app.db, app, { venueId: venue.id, handoff, locale, userAgent: kctx.get('user-agent').slice(0, 1024) || null }, now),
    refusal(app, venue, handoff.clientMac, now),
  ]);
  rememberFlow(app, kctx, flow);
  locale = pickLocale(kctx, venue, flow);
  await showStart(app, kctx, venue, flow, locale, { notice: refusalNotice(app, locale, refused) });
}

/** Why the NAS refused this device here, if that is what brought the guest back (expired, data used up, too many devices…). */
function refusal(app: AppContext, venue: Venue, clientMac: string | undefined, now: number): Promise<RejectReason | undefined> {
  return clientMac ? rejectSinceLastGrant(app.db, clientMac, venue.id, now - REFUSAL_SHOWN_MS) : Promise.resolve(undefined);
}

const refusalNotice = (app: AppContext, locale: Locale, reason: RejectReason | undefined) => reason && app.views.t(locale, `access.reject.${reason}`);

export async function startPage(app: AppContext, kctx: Context): Promise<void> {
  const venue = await venueFor(app, kctx);
  const flow = await flowFor(app, kctx, venue);
  if (flow.state === 'done') return seeOther(kctx, `/p/${venue.slug}/online?f=${flow.id}`);
  const asked = kctx.query.lang;
  const locale = pickLocale(kctx, venue, flow);
  const now = app.now();
  // The refusal notice stays through a language switch or a reload.
  const [refused] = await Promise.all([
    refusal(app, venue, flow.handoff.clientMac, now),
    asked && locale !== flow.locale ? setFlowLocale(app.db, flow.id, locale, now) : undefined,
  ]);
  await showStart(app, kctx, venue, flow, locale, { notice: refusalNotice(app, locale, refused) });
}

export async function submitStart(app: AppContext, kctx: Context): Promise<void> {
  const venue = await venueFor(app, kctx);
  const flow = await flowFor(app, kctx, venue);
  const locale = pickLocale(kctx, venue, flow);
  requireCsrf(app, kctx, flow);
  if (flow.state === 'done') return seeOther(kctx, `/p/${venue.slug}/online?f=${flow.id}`);
  const body = formBody(kctx);
  const now = app.now();
  const values = pickValues(body);
  const form = readStartForm(venue, body, now);
  if (!form.ok) return showStart(app, kctx, venue, flow, locale, { values, problems: form.problems, status: 400 });

  // The version the guest read is the one their form names (it may be older than today's).
  const shown = typeof body.v === 'string' ? body.v : '';
  const current = await currentVersion(app.db, venue, locale);
  const version = shown === current.id ? current : /^[0-9a-f]{64}$/.test(shown) ? await storedVersion(app.db, shown) : undefined;
  if (!version || ('venueId' in version && version.venueId !== venue.id)) {
    return showStart(app, kctx, venue, flow, locale, { values, problems: [{ field: '', code: 'guest_version_unknown' }], status: 400 });
  }
  await saveSubmission(app.db, app, flow.id, { e164: form.e164, details: form.details, choices: form.choices, templateVersionId: version.id, locale }, now);

  const keys: SendKeys = {
    venueId: venue.id,
    numberHash: numberHash(app.keys, form.e164),
    macHash: flow.macHash,
    clientIp: clientIp(kctx) || null,
    nasId: flow.handoff.nasId ?? null,
    callingCode: form.callingCode,
  };
  const sent = await issueCode(app, flow.id, {
    keys,
    e164: form.e164,
    settings: venue.settings,
    text: (code, minutes) => codeText(app.views, venue, locale, code, minutes),
  });
  if (sent.ok) {
    await markCodeSent(app.db, flow.id, sent.verificationId, sent.expiresAt, app.now());
    return seeOther(kctx, `/p/${venue.slug}/code?f=${flow.id}`);
  }
  if (sent.reason === 'blocked') {
    const minutes = Math.max(1, Math.ceil((sent.retryAt - now) / 60_000));
    kctx.set('Retry-After', String(Math.ceil((sent.retryAt - now) / 1000)));
    return showStart(app, kctx, venue, flow, locale, { values, problems: [{ field: '', code: 'guest_send_blocked', params: { minutes } }], status: 429 });
  }
  return showStart(app, kctx, venue, flow, locale, { values, problems: [{ field: '', code: 'guest_sms_failed' }], status: 503 });
}

function pickValues(body: Record<string, unknown>): Record<string, string | boolean> {
  const s = (k: string, max: number) => (typeof body[k] === 'string' ? (body[k] as string).slice(0, max) : '');
  return {
    phone: s('phone', 40), name: s('name', 100), email: s('email', 254), birth_date: s('birth_date', 10),
    consent_terms: body.consent_terms === 'yes', consent_sms: body.consent_sms === 'yes', consent_email: body.consent_email === 'yes',
  };
}

export async function showStart(
  app: AppContext,
  kctx: Context,
  venue: Venue,
  flow: Flow,
  locale: Locale,
  extra: { values?: Record<string, string | boolean>; problems?: FieldProblem[]; status?: number; notice?: string } = {},
): Promise<void> {
  const v = await currentVersion(app.db, venue, locale);
  const errors = (extra.problems ?? []).map((p) => ({ field: p.field || undefined, message: app.views.t(locale, `errors.${p.code}`, p.params) }));
  kctx.status = extra.status ?? 200;
  kctx.type = 'html';
  kctx.body = renderStart(v.id, v.content, { flowId: flow.id, csrf: csrfToken(app.keys, flow.id), values: extra.values, errors, notice: extra.notice });
}

export function seeOther(kctx: Context, url: string): void {
  kctx.redirect(url);
  kctx.status = 303;
}
