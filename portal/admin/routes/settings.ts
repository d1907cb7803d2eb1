// Venue settings (session, codes, SMS limits, retention, languages): applied on save,
// since they do not change what a guest reads; each field validated with its range.
import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import type { AppContext } from '../../context.ts';
import { findVenueById, updateVenueSettings } from '../../venues/venues.ts';
import { audit } from '../../accounts/audit.ts';
import { FoyerError } from '../../errors.ts';
import { actorOf, adminOf, allowVenue, venueOf } from '../auth.ts';
import { render, seeOther } from '../page.ts';
import {
  formToSettings,
  isOwnerOnly as isOwnerOnlyName,
  numberFields,
  settingsToForm,
  SETTINGS_LOCALES,
} from '../settings-form.ts';
import { flatten } from '../../venues/version-diff.ts';
import { VENDORS } from '../../access-points/registry.ts';

export function settingsRoutes(r: Router, app: AppContext): void {
  const page = (
    ctx: RouterContext,
    values: Record<string, string | string[]>,
    errors: Record<string, string>,
    status = 200,
  ) =>
    render(
      app,
      ctx,
      'settings',
      {
        venue: venueOf(ctx),
        values,
        errors,
        groups: numberFields(),
        ownerOnly: isOwnerOnlyName,
        locales: SETTINGS_LOCALES,
        localeOptions: SETTINGS_LOCALES.map((l) => ({
          value: l,
          label: app.views.t(ctx.state.locale, `admin.lang.${l}`),
        })),
        vendorOptions: [{ value: '', label: '—' }, ...VENDORS.map((v) => ({ value: v, label: v }))],
      },
      status,
    );

  r.get('/venues/:slug/settings', allowVenue(app, 'venue.settings'), async (ctx) =>
    page(ctx, settingsToForm(venueOf(ctx).settings), {}),
  );

  r.post('/venues/:slug/settings', allowVenue(app, 'venue.settings'), async (ctx) => {
    const venue = venueOf(ctx);
    const { values, settings, errors, ownerOnly } = formToSettings(
      venue.settings,
      (ctx.request.body ?? {}) as Record<string, unknown>,
      { owner: adminOf(ctx).account.role === 'owner' },
    );
    if (ownerOnly.length)
      throw new FoyerError(
        'admin_owner_only_setting',
        403,
        'Only an owner can change the allowed countries and the SMS limits: they protect against toll fraud.',
        { fields: ownerOnly.join(', ') },
      );
    if (!settings) return page(ctx, values, errors, 400);
    await app.db.tx(async (tx) => {
      // Re-read inside the transaction: a publish may have changed the wording meanwhile.
      const fresh = (await findVenueById(tx, venue.id))!;
      const merged = {
        ...settings,
        branding: fresh.settings.branding,
        wording: fresh.settings.wording,
        fields: fresh.settings.fields,
        offers: fresh.settings.offers,
        contact: fresh.settings.contact,
      };
      await updateVenueSettings(tx, venue.id, merged);
      const before = flatten(fresh.settings);
      const changed = [...flatten(merged)].filter(([k, v]) => before.get(k) !== v).map(([k, v]) => `${k}=${v}`);
      await audit(tx, actorOf(ctx), 'venue.settings.save', venue.slug, changed.join('; '));
    });
    seeOther(ctx, `/admin/venues/${venue.slug}/settings`, 'settings_saved');
  });
}
