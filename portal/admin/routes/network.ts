// NAS clients (add, edit, remove, what to enter on the equipment) and live sessions
// (list, disconnect one with the NAS's answer shown). No personal data for network
// admins: guests' MACs and IPs are masked for them (personal-data.ts).
import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import { readFileSync } from 'node:fs';
import type { AppContext } from '../../context.ts';
import { FoyerError } from '../../errors.ts';
import { addNas, findNasById, listNas, removeNas, type NasRecord, updateNasPortal } from '../../access/nas-clients.ts';
import { VENDORS } from '../../access-points/registry.ts';
import { listVenues, findVenueById } from '../../venues/venues.ts';
import { audit } from '../../accounts/audit.ts';
import { actorOf, adminOf, allow } from '../auth.ts';
import { sessionViews } from '../session-view.ts';
import { liveSessions } from '../../access/sessions.ts';
import { render, seeOther } from '../page.ts';
import { parseNasForm, updateNas, portalToForm } from '../nas-form.ts';
import { guideFor, guidePage, publicBase, setupRows } from '../nas-setup.ts';
import { guideHtml } from '../guide-html.ts';
import { disconnectFromConsole } from '../disconnect-result.ts';
import type { AdminDeps } from '../routes.ts';

/** The address this console was opened at (Koa 3's ctx.origin is the Origin header). */
const requestBase = (ctx: RouterContext) => `${ctx.protocol}://${ctx.host}`;

export function networkRoutes(r: Router, app: AppContext, deps: AdminDeps): void {
  const form = async (
    ctx: RouterContext,
    nas: Partial<Record<string, string>>,
    errors: Record<string, string>,
    editing?: NasRecord,
    status = 200,
  ) =>
    render(app, ctx, 'nas-form', { nas, errors, editing, vendors: VENDORS, venues: await listVenues(app.db) }, status);

  const shownOnce = async (ctx: RouterContext, nas: NasRecord, secret?: string) => {
    const venue = await findVenueById(app.db, nas.venueId);
    render(app, ctx, 'nas-setup', {
      nas,
      venue,
      secret,
      rows: setupRows(app.config, nas, venue?.slug ?? '', requestBase(ctx)),
      guide: Boolean(guideFor(nas.vendor)),
      publicUrlUnset: publicBase(app.config, requestBase(ctx)).fromRequest,
      origin: requestBase(ctx),
    });
  };

  r.get('/network/nas', allow('nas.manage'), async (ctx) => {
    const venues = new Map((await listVenues(app.db)).map((v) => [v.id, v]));
    render(app, ctx, 'nas-list', {
      list: (await listNas(app.db, app.cipher)).map((n) => ({ ...n, venue: venues.get(n.venueId) })),
    });
  });

  r.get('/network/nas/new', allow('nas.manage'), async (ctx) =>
    form(ctx, { coaPort: '3799', requireMessageAuthenticator: 'on', secretMode: 'generate' }, {}),
  );

  r.post('/network/nas/new', allow('nas.manage'), async (ctx) => {
    const { values, input, portal, errors } = parseNasForm((ctx.request.body ?? {}) as Record<string, unknown>, {
      editing: false,
    });
    if (!input) return form(ctx, values, errors, undefined, 400);
    if (!(await findVenueById(app.db, input.venueId)))
      return form(ctx, values, { venueId: 'errors.admin_venue_pick' }, undefined, 400);
    const added = await addNas(app.db, app.cipher, input);
    const nas = {
      ...((await updateNasPortal(app.db, app.cipher, added.id, portal ?? {})) ?? added),
      secret: added.secret,
    };
    await audit(app.db, actorOf(ctx), 'nas.add', nas.name, {
      address: nas.address,
      vendor: nas.vendor,
      secret: input.secret ? 'entered' : 'generated',
    });
    // The secret in clear exactly once, on this response; never on a later page.
    await shownOnce(ctx, nas, nas.secret.toString());
  });

  const loadNas = async (ctx: RouterContext) => {
    const nas = await findNasById(app.db, app.cipher, String(ctx.params.id));
    if (!nas) throw new FoyerError('admin_nas_not_found', 404, 'There is no such NAS client.');
    return nas;
  };

  r.get('/network/nas/:id', allow('nas.manage'), async (ctx) => shownOnce(ctx, await loadNas(ctx)));

  r.get('/network/nas/:id/edit', allow('nas.manage'), async (ctx) => {
    const n = await loadNas(ctx);
    await form(
      ctx,
      {
        name: n.name,
        address: n.address,
        vendor: n.vendor,
        venueId: n.venueId,
        coaPort: String(n.coaPort),
        requireMessageAuthenticator: n.requireMessageAuthenticator ? 'on' : '',
        secretMode: 'keep',
        ...portalToForm(n),
      },
      {},
      n,
    );
  });

  r.post('/network/nas/:id/edit', allow('nas.manage'), async (ctx) => {
    const n = await loadNas(ctx);
    const { values, input, portal, secretMode, errors } = parseNasForm(
      (ctx.request.body ?? {}) as Record<string, unknown>,
      { editing: true },
    );
    if (!input) return form(ctx, { ...portalToForm(n), ...values }, errors, n, 400);
    if (!(await findVenueById(app.db, input.venueId)))
      return form(ctx, values, { venueId: 'errors.admin_venue_pick' }, n, 400);
    const { secret } = await updateNas(app.db, app.cipher, n.id, input, secretMode);
    await updateNasPortal(app.db, app.cipher, n.id, portal ?? {});
    await audit(app.db, actorOf(ctx), 'nas.edit', input.name, {
      address: input.address,
      vendor: input.vendor,
      secret: secret ? secretMode : 'kept',
    });
    if (secret) return shownOnce(ctx, (await findNasById(app.db, app.cipher, n.id))!, secret);
    seeOther(ctx, `/admin/network/nas/${n.id}`, 'nas_saved');
  });

  r.post('/network/nas/:id/remove', allow('nas.manage'), async (ctx) => {
    const n = await loadNas(ctx);
    await removeNas(app.db, n.id);
    await audit(app.db, actorOf(ctx), 'nas.remove', n.name);
    seeOther(ctx, '/admin/network/nas', 'nas_removed');
  });

  r.get('/network/guides/:vendor', allow('nas.manage'), async (ctx) => {
    const file = guideFor(String(ctx.params.vendor));
    if (!file) throw new FoyerError('admin_guide_not_found', 404, 'There is no guide for this vendor yet.');
    render(app, ctx, 'guide', { vendor: ctx.params.vendor, html: guideHtml(readFileSync(file, 'utf8')) });
  });

  // The same guide with this NAS's values (portal host, venue, RADIUS server) filled in.
  r.get('/network/nas/:id/guide', allow('nas.manage'), async (ctx) => {
    const nas = await loadNas(ctx);
    const venue = await findVenueById(app.db, nas.venueId);
    const html = guidePage(app.config, nas, venue?.slug ?? '', requestBase(ctx));
    if (!html) throw new FoyerError('admin_guide_not_found', 404, 'There is no guide for this vendor yet.');
    render(app, ctx, 'guide', {
      vendor: nas.vendor,
      nas,
      html,
      publicUrlUnset: publicBase(app.config, requestBase(ctx)).fromRequest,
      origin: requestBase(ctx),
    });
  });

  r.get('/network/sessions', allow('sessions.view'), async (ctx) => {
    const { list, showPeople } = await sessionViews(app, await liveSessions(app.db), {
      role: adminOf(ctx).account.role,
      locale: ctx.state.locale,
      now: app.now(),
    });
    render(app, ctx, 'sessions', { list, showPeople, canDisconnect: Boolean(deps.disconnector) });
  });

  r.post('/network/sessions/:id/disconnect', allow('sessions.disconnect'), async (ctx) => {
    const id = String(ctx.params.id);
    const result = await disconnectFromConsole(app, deps.disconnector?.(app), id);
    await audit(app.db, actorOf(ctx), 'session.disconnect', id, {
      result: result.result,
      errorCause: result.errorCause,
    });
    render(app, ctx, 'disconnect', { id, result }, result.ok ? 200 : 502);
  });
}
