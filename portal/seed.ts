// The demo venue on an empty database, so `npm start` shows a working portal.
import type { Db } from './store/db.ts';
import { createVenue, listVenues } from './venues/venues.ts';

export async function seedDemo(db: Db): Promise<boolean> {
  if ((await listVenues(db)).length > 0) return false;
  await createVenue(db, {
    slug: 'demo',
    name: 'Demo Café',
    country: 'BG',
    settings: {
      locales: ['en', 'bg'],
      defaultLocale: 'en',
      contact: 'hello@demo.example',
      wording: {
        en: { incentive: 'Join our SMS offers and get a free coffee on your next visit.' },
        bg: { incentive: 'Абонирайте се за SMS оферти и получете безплатно кафе при следващото посещение.' },
      },
    } as never,
  });
  return true;
}
