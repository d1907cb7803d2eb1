// The start page: the venues this account may manage.
import type Router from '@koa/router';
import type { AppContext } from '../../context.ts';
import { listVenues } from '../../venues/venues.ts';
import { adminOf } from '../auth.ts';
import { venueFilter } from '../../accounts/permissions.ts';
import { render } from '../page.ts';

export function homeRoutes(r: Router, app: AppContext): void {
  r.get('/', async (ctx) => {
    const mine = venueFilter(adminOf(ctx).account);
    render(app, ctx, 'home', { venues: (await listVenues(app.db)).filter((v) => mine(v.id)) });
  });
}
