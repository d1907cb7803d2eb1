// Branding and wording: edit the draft, upload a logo, preview, publish, list the
// published versions and compare any two.
import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import type { AppContext } from '../../context.ts';
import { FoyerError } from '../../errors.ts';
import { LOCALES, type Locale } from '../../venues/settings.ts';
import { applyDraft, discardDraft, loadDraft, saveDraft, type Draft } from '../../venues/drafts.ts';
import { smsPartsNotes } from '../sms-parts.ts';
import { fieldLabel, logoUrl, swatch } from '../field-labels.ts';
import { publishImpact } from '../../venues/publish-impact.ts';
import { listVersions, loadVersion, publishDraft, publishProblems } from '../../venues/publish.ts';
import { compareVersions } from '../../venues/version-diff.ts';
import { isStoredLogo, storeLogo, LOGO_MAX_BYTES } from '../../venues/logos.ts';
import { isLocale } from '../../http/i18n.ts';
import { audit } from '../../accounts/audit.ts';
import { actorOf, adminOf, allowVenue, checkAdminCsrf, venueOf } from '../auth.ts';
import { readMultipart } from '../multipart.ts';
import { render, seeOther } from '../page.ts';
import { draftToForm, formToDraft, LONG_TEXTS, standardWording, WORDING_KEYS, WORDING_MAX } from '../branding-form.ts';
import { renderPreview } from '../preview.ts';
import { themeCss } from '../../guest/assets.ts';

export function brandingRoutes(r: Router, app: AppContext): void {
  // SMS parts are counted on the saved draft, as guests would be sent it once published.
  // Each empty wording box shows the standard text it stands for (standardWording).
  const page = (
    ctx: RouterContext,
    values: Record<string, string>,
    errors: Record<string, string>,
    draft: Draft,
    status = 200,
  ) => {
    const next = applyDraft(venueOf(ctx), draft);
    ctx.state.frameSrc = 'self'; // the phone-sized preview beside the form
    render(
      app,
      ctx,
      'branding',
      {
        venue: venueOf(ctx),
        values,
        errors,
        draft,
        locales: LOCALES,
        wordingKeys: WORDING_KEYS,
        wordingMax: WORDING_MAX,
        longTexts: [...LONG_TEXTS],
        logoMaxKb: LOGO_MAX_BYTES / 1024,
        smsParts: smsPartsNotes(app.views, next),
        standard: standardWording(app.views, next),
      },
      status,
    );
  };

  r.get('/venues/:slug/branding', allowVenue(app, 'venue.branding'), async (ctx) => {
    const draft = await loadDraft(app.db, venueOf(ctx));
    page(ctx, draftToForm(draft.name, draft.content), {}, draft);
  });

  r.post('/venues/:slug/branding', allowVenue(app, 'venue.branding'), async (ctx) => {
    const venue = venueOf(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const { values, name, content, errors } = formToDraft(body);
    const logo = values['branding.logo'];
    if (logo && !(await isStoredLogo(app.db, venue.id, logo))) {
      errors['branding.logo'] = 'errors.logo_not_uploaded';
      // The page shows the draft's own logo, never the refused value.
      values['branding.logo'] = (await loadDraft(app.db, venue)).content.branding.logo ?? '';
    }
    if (!content || !name || errors['branding.logo'])
      return page(ctx, values, errors, await loadDraft(app.db, venue), 400);
    await app.db.tx(async (tx) => {
      await saveDraft(tx, venue.id, { name, content }, adminOf(ctx).account.email, app.now());
      await audit(tx, actorOf(ctx), 'venue.draft.save', venue.slug);
    });
    if (body.then === 'preview') return seeOther(ctx, `/admin/venues/${venue.slug}/preview`);
    seeOther(ctx, `/admin/venues/${venue.slug}/branding`, 'draft_saved');
  });

  r.post('/venues/:slug/branding/discard', allowVenue(app, 'venue.branding'), async (ctx) => {
    const venue = venueOf(ctx);
    await app.db.tx(async (tx) => {
      await discardDraft(tx, venue.id);
      await audit(tx, actorOf(ctx), 'venue.draft.discard', venue.slug);
    });
    seeOther(ctx, `/admin/venues/${venue.slug}/branding`, 'draft_discarded');
  });

  r.post('/venues/:slug/branding/logo', allowVenue(app, 'venue.branding'), async (ctx) => {
    const venue = venueOf(ctx);
    const upload = await readMultipart(ctx, LOGO_MAX_BYTES + 64 * 1024);
    checkAdminCsrf(ctx, app, upload.fields._csrf);
    const file = upload.files.find((f) => f.field === 'logo');
    let path: string;
    try {
      if (!file) throw new FoyerError('logo_empty', 400, 'Choose an image file to upload.');
      path = await storeLogo(app.db, venue.id, file.data, app.now());
    } catch (err) {
      // Shown by the file field on the same page, not on an error page that loses the form.
      if (!(err instanceof FoyerError) || err.status >= 500) throw err;
      const draft = await loadDraft(app.db, venue);
      return page(ctx, draftToForm(draft.name, draft.content), { logo: `errors.${err.code}` }, draft, err.status);
    }
    await app.db.tx(async (tx) => {
      const draft = await loadDraft(tx, venue);
      await saveDraft(
        tx,
        venue.id,
        { name: draft.name, content: { ...draft.content, branding: { ...draft.content.branding, logo: path } } },
        adminOf(ctx).account.email,
        app.now(),
      );
      await audit(tx, actorOf(ctx), 'venue.logo.upload', venue.slug, { path, bytes: file!.data.length });
    });
    seeOther(ctx, `/admin/venues/${venue.slug}/branding`, 'logo_uploaded');
  });

  r.get('/venues/:slug/preview', allowVenue(app, 'venue.branding'), async (ctx) => {
    const venue = venueOf(ctx);
    const draft = applyDraft(venue, await loadDraft(app.db, venue));
    const q = ctx.query.locale;
    const locale: Locale = isLocale(q) ? q : draft.settings.defaultLocale;
    ctx.type = 'html';
    ctx.state.frameAncestors = 'self';
    ctx.body = renderPreview(app, draft, locale, `/admin/venues/${venue.slug}/preview.css`);
  });

  r.get('/venues/:slug/preview.css', allowVenue(app, 'venue.branding'), async (ctx) => {
    const venue = venueOf(ctx);
    ctx.type = 'text/css';
    ctx.body = themeCss(applyDraft(venue, await loadDraft(app.db, venue)));
  });

  r.post('/venues/:slug/publish', allowVenue(app, 'venue.publish'), async (ctx) => {
    const venue = venueOf(ctx);
    const by = adminOf(ctx).account.email;
    // A draft that changes consent wording sends every remembered device whose person agreed
    // to it back to the portal: the operator sees that and confirms before it happens.
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    if (body.confirm !== 'yes') {
      const next = applyDraft(venue, await loadDraft(app.db, venue));
      // A draft that cannot be published is refused below with its reason, not warned about.
      const impact = publishProblems(next).length
        ? undefined
        : await publishImpact(app.db, app.consentPages, venue, next, app.now());
      if (impact?.changed.length)
        return render(app, ctx, 'publish-confirm', {
          venue,
          impact,
          languages: impact.locales.map((l) => app.views.t(ctx.state.locale ?? 'en', `admin.lang.${l}`)),
        });
    }
    // "The same business, only renamed": remembered guests' consent under the old name stands.
    const keepConsent = body.keepConsent === 'yes';
    const version = await publishDraft(app.db, venue.id, by, app.now(), { keepConsent });
    await audit(app.db, actorOf(ctx), 'venue.publish', venue.slug, {
      version: version.number,
      ...(keepConsent ? { keepConsent: 'same controller, renamed' } : {}),
    });
    seeOther(ctx, `/admin/venues/${venue.slug}/versions`, 'published');
  });

  r.get('/venues/:slug/versions', allowVenue(app, 'venue.branding'), async (ctx) => {
    const venue = venueOf(ctx);
    const versions = await listVersions(app.db, venue.id);
    const draft = await loadDraft(app.db, venue);
    // What guests are served right now, per language: the ids their ledger events will name.
    const served = await Promise.all(
      venue.settings.locales.map(async (locale) => ({
        locale,
        id: (await app.consentPages.currentVersion(venue, locale)).id,
      })),
    );
    render(app, ctx, 'versions', { venue, versions, draft, served });
  });

  r.get('/venues/:slug/versions/compare', allowVenue(app, 'venue.branding'), async (ctx) => {
    const venue = venueOf(ctx);
    const a = Number(ctx.query.a);
    const b = Number(ctx.query.b);
    if (!Number.isInteger(a) || !Number.isInteger(b))
      throw new FoyerError('admin_versions_pick', 400, 'Choose two versions to compare.');
    const [va, vb] = await Promise.all([
      loadVersion(app.db, venue.id, Math.min(a, b)),
      loadVersion(app.db, venue.id, Math.max(a, b)),
    ]);
    if (!va || !vb) throw new FoyerError('admin_version_not_found', 404, 'There is no such version.');
    const rows = compareVersions(va, vb);
    const all = ctx.query.all === '1';
    const locale = ctx.state.locale as Locale;
    const shown = (all ? rows : rows.filter((x) => x.changed)).map((x) => ({
      ...x,
      label: fieldLabel(app.views, locale, x.path),
    }));
    render(app, ctx, 'compare', {
      venue,
      a: va,
      b: vb,
      rows: shown,
      changed: rows.filter((x) => x.changed).length,
      all,
      swatch,
      logoUrl,
    });
  });
}
