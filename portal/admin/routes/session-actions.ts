// Ending a guest's session with a choice (admin/end-session.ts): from the live sessions
// page (owners, network admins) and from a venue's "online now" page (owners, that
// venue's operators). Who may do which is checked against the session's own venue.
import type Router from '@koa/router';
import type { AppContext } from '../../context.ts';
import { FoyerError } from '../../errors.ts';
import { actorOf, adminOf, allowVenue, venueOf } from '../auth.ts';
import { can } from '../../accounts/permissions.ts';
import { sessionViews } from '../session-view.ts';
import { liveSessions } from '../../access/sessions.ts';
import { render } from '../page.ts';
import { DEFAULT_BLOCK_HOURS, endSession, parseEndRequest, sessionAndVenue } from '../end-session.ts';
import type { AdminDeps } from '../routes.ts';

export function sessionActionRoutes(r: Router, app: AppContext, deps: AdminDeps): void {
  r.post('/sessions/:id/end', async (ctx) => {
    const account = adminOf(ctx).account;
    const req = parseEndRequest((ctx.request.body ?? {}) as Record<string, unknown>);
    const { venueId } = await sessionAndVenue(app, String(ctx.params.id));
    // An operator of another venue learns nothing of this session.
    if (account.role === 'operator' && !account.venueIds.includes(venueId))
      throw new FoyerError('admin_session_not_found', 404, 'There is no such session.');
    if (!can(account, req.action === 'revoke' ? 'sessions.revoke' : 'sessions.end', venueId))
      throw new FoyerError('admin_forbidden', 403, 'Your account may not do this.');
    const out = await endSession(app, deps.disconnector?.(app), actorOf(ctx), String(ctx.params.id), req);
    const answered = out.disconnect === undefined || out.disconnect.result === 'ack';
    render(
      app,
      ctx,
      'end-session',
      {
        out,
        answer: out.disconnect && {
          result: out.disconnect.result,
          errorCause:
            'errorCause' in out.disconnect && out.disconnect.errorCause !== undefined
              ? String(out.disconnect.errorCause)
              : '',
        },
        hours: req.hours,
      },
      answered ? 200 : 502,
    );
  });

  r.get('/venues/:slug/online', allowVenue(app, 'sessions.end'), async (ctx) => {
    const venue = venueOf(ctx);
    // Network admins may end sessions here too, but see no personal data (personal-data.ts).
    const { list, showPeople } = await sessionViews(app, await liveSessions(app.db, { venueId: venue.id }), {
      role: adminOf(ctx).account.role,
      locale: ctx.state.locale,
      now: app.now(),
    });
    render(app, ctx, 'online', {
      venue,
      list,
      showPeople,
      canDisconnect: Boolean(deps.disconnector),
      blockHours: DEFAULT_BLOCK_HOURS,
    });
  });
}
