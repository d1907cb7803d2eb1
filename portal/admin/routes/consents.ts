// The venue dashboard and consent records: search, one person's events with the page
// they were shown, withdraw on request, erase personal data, exports.
import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { FoyerError } from '../../errors.ts';
import { StoreError } from '../../store/db.ts';
import { findSubject } from '../../consent/subjects.ts';
import { withdrawByOperator } from '../../consent/commands/withdraw-by-operator.ts';
import { eraseByOperator } from '../../consent/commands/erase-by-operator.ts';
import { exportConsents } from '../../consent/export.ts';
import { CHANNELS, DECISIONS, PURPOSES, type Purpose } from '../../consent/event.ts';
import { templateVersionDates } from '../../consent/template-versions.ts';
import { audit } from '../../accounts/audit.ts';
import { actorOf, adminOf, allowVenue, venueOf } from '../auth.ts';
import { render, seeOther, str } from '../page.ts';
import { latestDecisions, searchEvents, subjectEvents, suppressionCsv, venueEvent } from '../../consent/search.ts';
import { venueStats } from '../dashboard-stats.ts';
import { venueFilter } from '../../accounts/permissions.ts';
import { listVenues } from '../../venues/venues.ts';
import { barChart } from '../charts.ts';
import { describeEvidence, evidencePage } from '../../consent/evidence.ts';

/** The PostgreSQL store wraps what a transaction throws in a StoreError; a refusal of ours stays ours. */
async function unwrapped<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw err instanceof StoreError && err.cause instanceof FoyerError ? err.cause : err;
  }
}

const hashParam = z.string().regex(/^[0-9a-f]{64}$/);

export function consentRoutes(r: Router, app: AppContext): void {
  r.get('/venues/:slug', allowVenue(app, 'venue.dashboard'), async (ctx) => {
    const venue = venueOf(ctx);
    const stats = await venueStats(app.db, venue.id, app.now());
    const t = (k: string, p?: Record<string, string | number>) => app.views.t(ctx.state.locale, k, p);
    const signupChart = barChart(
      'signups',
      t('admin.dashboard.signupsChart'),
      stats.days.map((d) => ({ label: d.day.slice(5), value: d.signups })),
    );
    const optInChart = barChart(
      'optin',
      t('admin.dashboard.optInChart'),
      stats.optIn.map((o) => ({ label: t(`admin.purpose.${o.purpose}`), value: o.rate ?? 0 })),
      { max: 100, suffix: '%', color: '#166534', height: 180 },
    );
    render(app, ctx, 'dashboard', {
      venue,
      stats,
      signupChart,
      optInChart,
      total: stats.days.reduce((s, d) => s + d.signups, 0),
    });
  });

  // The venue filter: a plain GET form cannot change the path, so this forwards to the venue's page.
  r.get('/consents', async (ctx) => {
    const slug = str(ctx.query.venue);
    const rest = new URLSearchParams(
      Object.entries(ctx.query).filter(([k, v]) => k !== 'venue' && typeof v === 'string') as [string, string][],
    );
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) throw new FoyerError('admin_venue_pick', 400, 'Choose a venue.');
    ctx.redirect(`/admin/venues/${slug}/consents${rest.size ? `?${rest}` : ''}`);
  });

  r.get('/venues/:slug/consents', allowVenue(app, 'consents.view'), async (ctx) => {
    const venue = venueOf(ctx);
    const mine = venueFilter(adminOf(ctx).account);
    const venues = (await listVenues(app.db)).filter((v) => mine(v.id));
    const q = Object.fromEntries(
      ['number', 'purpose', 'decision', 'channel', 'from', 'to'].map((k) => [k, str(ctx.query[k])]),
    );
    const result = await searchEvents(app.db, app.keys, app.cipher, venue, q);
    if (q.number) await audit(app.db, actorOf(ctx), 'consents.search', venue.slug, { byNumber: true });
    render(
      app,
      ctx,
      'consents',
      { venue, venues, q, result, purposes: PURPOSES, decisions: DECISIONS, channels: CHANNELS },
      result.invalidNumber ? 400 : 200,
    );
  });

  const loadSubject = async (ctx: RouterContext) => {
    const venue = venueOf(ctx);
    const hash = hashParam.safeParse(ctx.params.hash);
    const events = hash.success ? await subjectEvents(app.db, venue.id, hash.data) : [];
    if (!hash.success || events.length === 0)
      throw new FoyerError(
        'admin_subject_not_found',
        404,
        'There are no consent records for this person at this venue.',
      );
    const subject = await findSubject(app.db, venue.id, hash.data);
    return { venue, hash: hash.data, events, subject };
  };

  r.get('/venues/:slug/consents/person/:hash', allowVenue(app, 'consents.view'), async (ctx) => {
    const { venue, hash, events, subject } = await loadSubject(ctx);
    const dec = (v: string | null | undefined) => (v ? app.cipher.decrypt(v) : '');
    const person = subject && {
      id: subject.id,
      number: dec(subject.number_enc),
      name: dec(subject.name_enc),
      email: dec(subject.email_enc),
      birthDate: dec(subject.birth_date_enc),
      erasedAt: subject.erased_at,
    };
    const latest = latestDecisions(events);
    const withdrawable = PURPOSES.filter((p) => p !== 'terms' && latest[p]?.decision === 'granted');
    await audit(app.db, actorOf(ctx), 'consents.view_person', venue.slug, { numberHash: hash.slice(0, 12) });
    const versionDates = await templateVersionDates(
      app.db,
      events.map((e) => e.template_version_id ?? ''),
    );
    render(app, ctx, 'person', {
      venue,
      hash,
      events: [...events].reverse(),
      person,
      latest,
      withdrawable,
      versionDates,
    });
  });

  r.post('/venues/:slug/consents/person/:hash/withdraw', allowVenue(app, 'consents.withdraw'), async (ctx) => {
    const { venue, hash } = await loadSubject(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const purpose = str(body.purpose) as Purpose;
    if (!PURPOSES.includes(purpose) || purpose === 'terms')
      throw new FoyerError(
        'admin_withdraw_purpose',
        400,
        'Choose the offer the person withdraws from (SMS or e-mail).',
      );
    // A withdrawal is final on the ledger (only the person can opt in again): asked first, like erasure.
    if (str(body.confirm) !== 'yes')
      throw new FoyerError(
        'admin_withdraw_confirm',
        400,
        'Tick the box to confirm that the person asked to withdraw this consent.',
      );
    const note = str(body.note).trim().slice(0, 500);
    const appended = await unwrapped(
      app.db.tx((tx) =>
        withdrawByOperator(tx, app.keys, { venue, numberHash: hash, purpose, actor: actorOf(ctx), note }),
      ),
    );
    seeOther(ctx, `/admin/venues/${venue.slug}/consents/person/${hash}#e-${appended.id}`, `withdrawn_${purpose}`);
  });

  r.post('/venues/:slug/consents/person/:hash/erase', allowVenue(app, 'consents.erase'), async (ctx) => {
    const { venue, hash, subject } = await loadSubject(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    if (str(body.confirm) !== 'yes')
      throw new FoyerError('admin_erase_confirm', 400, 'Tick the box to confirm the erasure.');
    if (!subject || subject.erased_at)
      throw new FoyerError('admin_already_erased', 409, "This person's personal data has already been erased.");
    await app.db.tx((tx) =>
      eraseByOperator(tx, { venueSlug: venue.slug, subjectId: subject.id, actor: actorOf(ctx), now: app.now() }),
    );
    seeOther(ctx, `/admin/venues/${venue.slug}/consents/person/${hash}`, 'erased');
  });

  r.get('/venues/:slug/consents/event/:id', allowVenue(app, 'consents.view'), async (ctx) => {
    const venue = venueOf(ctx);
    const event = await venueEvent(app.db, venue.id, String(ctx.params.id));
    if (!event) throw new FoyerError('admin_event_not_found', 404, 'There is no such consent record at this venue.');
    const shown = await describeEvidence(app, event);
    render(app, ctx, 'evidence', { venue, event, shown });
  });

  r.get('/venues/:slug/consents/event/:id/page', allowVenue(app, 'consents.view'), async (ctx) => {
    const venue = venueOf(ctx);
    const event = await venueEvent(app.db, venue.id, String(ctx.params.id));
    const html = event && (await evidencePage(app, event));
    if (!html) throw new FoyerError('admin_event_not_found', 404, 'There is no page stored for this consent record.');
    await audit(app.db, actorOf(ctx), 'consents.view_page', venue.slug, { event: event!.id });
    ctx.type = 'html';
    ctx.body = html;
  });

  r.get('/venues/:slug/consents/export', allowVenue(app, 'consents.export'), async (ctx) => {
    const venue = venueOf(ctx);
    const format = str(ctx.query.format) === 'json' ? 'json' : 'csv';
    const purpose = PURPOSES.find((p) => p === str(ctx.query.purpose));
    const sinceRaw = str(ctx.query.since);
    const since = sinceRaw ? Date.parse(sinceRaw) : undefined;
    if (since !== undefined && Number.isNaN(since))
      throw new FoyerError('admin_date_invalid', 400, 'Give a date such as 2026-01-31.');
    await audit(app.db, actorOf(ctx), 'consents.export', venue.slug, { format, purpose, since: sinceRaw || undefined });
    ctx.type = format === 'json' ? 'application/json' : 'text/csv; charset=utf-8';
    ctx.attachment(`${venue.slug}-consents.${format}`);
    ctx.body = Readable.from(
      exportConsents(app.db, app.cipher, venue.name, { venueId: venue.id, format, purpose, since }),
    );
  });

  r.get('/venues/:slug/consents/suppression.csv', allowVenue(app, 'consents.export'), async (ctx) => {
    const venue = venueOf(ctx);
    await audit(app.db, actorOf(ctx), 'consents.suppression_export', venue.slug);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.attachment(`${venue.slug}-sms-suppression.csv`);
    ctx.body = Readable.from(suppressionCsv(app.db, (s) => app.cipher.decrypt(s), venue.id));
  });
}
