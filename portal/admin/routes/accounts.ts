// Accounts (owners only): list, add, remove; and the audit log.
import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import type { AppContext } from '../../context.ts';
import { FoyerError } from '../../errors.ts';
import { addAdmin, listAdmins, removeAdmin, updateAdminAccess, ROLES, type Role } from '../../accounts/accounts.ts';
import { listVenues } from '../../venues/venues.ts';
import { audit, listAudit } from '../../accounts/audit.ts';
import { actorOf, adminOf, allow } from '../auth.ts';
import { list, render, seeOther, str } from '../page.ts';

export function accountRoutes(r: Router, app: AppContext): void {
  const page = async (ctx: RouterContext, values: Record<string, unknown>, error?: string, status = 200) => {
    const venues = await listVenues(app.db);
    const names = new Map(venues.map((v) => [v.id, v.name]));
    const accounts = (await listAdmins(app.db)).map((a) => ({
      ...a,
      venueNames: a.venueIds.map((id) => names.get(id) ?? id),
    }));
    render(app, ctx, 'accounts', { accounts, venues, roles: ROLES, values, error }, status);
  };

  r.get('/accounts', allow('accounts.manage'), async (ctx) => page(ctx, { role: 'operator', venueIds: [] }));

  r.post('/accounts', allow('accounts.manage'), async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const values = { email: str(body.email).trim(), role: str(body.role), venueIds: list(body.venueIds) };
    try {
      const a = await addAdmin(app.db, {
        email: values.email,
        password: str(body.password),
        role: values.role as never,
        venueIds: values.role === 'operator' ? values.venueIds : [],
      });
      await audit(app.db, actorOf(ctx), 'account.add', a.email, { role: a.role, venues: a.venueIds.length });
    } catch (err) {
      if (err instanceof FoyerError && err.status < 500) {
        const key = `errors.${err.code}`;
        const msg = app.views.t(ctx.state.locale, key);
        return page(ctx, values, msg === key ? err.message : msg, err.status);
      }
      throw err;
    }
    seeOther(ctx, '/admin/accounts', 'account_added');
  });

  r.get('/accounts/:id', allow('accounts.manage'), async (ctx) => {
    const account = (await listAdmins(app.db)).find((a) => a.id === String(ctx.params.id));
    if (!account) throw new FoyerError('admin_account_not_found', 404, 'There is no such account.');
    render(app, ctx, 'account', {
      account,
      venues: await listVenues(app.db),
      roles: ROLES,
      self: account.id === adminOf(ctx).account.id,
    });
  });

  r.post('/accounts/:id', allow('accounts.manage'), async (ctx) => {
    const id = String(ctx.params.id);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const role = str(body.role) as Role;
    if (!ROLES.includes(role)) throw new FoyerError('admin_invalid', 400, 'Choose a role.');
    // An owner cannot take their own owner role away: someone must always be able to manage accounts.
    if (id === adminOf(ctx).account.id && role !== 'owner')
      throw new FoyerError('admin_demote_self', 409, 'You cannot take away your own owner role; ask another owner.');
    const known = new Set((await listVenues(app.db)).map((v) => v.id));
    const venueIds = list(body.venueIds).filter((v) => known.has(v));
    const target = (await listAdmins(app.db)).find((a) => a.id === id);
    if (!target || !(await updateAdminAccess(app.db, id, role, venueIds)))
      throw new FoyerError('admin_account_not_found', 404, 'There is no such account.');
    await audit(app.db, actorOf(ctx), 'account.access', target.email, {
      role,
      venues: role === 'operator' ? venueIds.length : 0,
    });
    seeOther(ctx, '/admin/accounts', 'account_saved');
  });

  r.post('/accounts/:id/remove', allow('accounts.manage'), async (ctx) => {
    const id = String(ctx.params.id);
    if (id === adminOf(ctx).account.id)
      throw new FoyerError('admin_remove_self', 409, 'You cannot remove your own account; ask another owner.');
    const target = (await listAdmins(app.db)).find((a) => a.id === id);
    if (!target || !(await removeAdmin(app.db, id)))
      throw new FoyerError('admin_account_not_found', 404, 'There is no such account.');
    await audit(app.db, actorOf(ctx), 'account.remove', target.email);
    seeOther(ctx, '/admin/accounts', 'account_removed');
  });

  r.get('/audit', allow('audit.view'), async (ctx) => {
    const before = Number(ctx.query.before) || undefined;
    const entries = await listAudit(app.db, {
      action: str(ctx.query.action) || undefined,
      actor: str(ctx.query.actor) || undefined,
      before,
      limit: 100,
    });
    render(app, ctx, 'audit', {
      entries,
      q: { action: str(ctx.query.action), actor: str(ctx.query.actor) },
      next: entries.length === 100 ? entries[entries.length - 1].id : undefined,
    });
  });
}
