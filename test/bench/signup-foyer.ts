// The Foyer that sign-up load runs against (signup and soak benches): a database migrated
// with one venue whose limits are raised (RAISED) and, when asked, a NAS on 127.0.0.1;
// then Foyer processes as `npm start` runs them, with the console gateway's outbox.
import { openDb } from '../../portal/store/open.ts';
import { migrate } from '../../portal/store/migrate.ts';
import { ledgerMigrationSteps } from '../../portal/consent/head.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { fieldCipher } from '../../portal/crypto/fields.ts';
import { createVenue } from '../../portal/venues/venues.ts';
import { venueSettingsSchema } from '../../portal/venues/settings.ts';
import { addNas } from '../../portal/access/nas-clients.ts';
import { foyerProcess, type FoyerProcess } from '../support/foyer-process.ts';
import { RAISED } from './portal.bench.ts';

export interface SignupSetup {
  dbUrl: string;
  dir: string;
  outbox: string;
  secretKey: string;
  slug: string;
}

/** Migrates `s.dbUrl` and adds the venue (and a CoovaChilli NAS with `nasSecret`, when given). */
export async function prepareSignupDatabase(s: SignupSetup, nasSecret?: string): Promise<void> {
  const keys = deriveKeys(s.secretKey);
  const db = await openDb(s.dbUrl);
  try {
    await migrate(db, ledgerMigrationSteps(keys));
    const venue = await createVenue(db, {
      slug: s.slug,
      name: 'Bench Café',
      country: 'BG',
      settings: venueSettingsSchema.parse(RAISED),
    });
    if (nasSecret)
      await addNas(db, fieldCipher(keys), {
        name: 'bench-ap',
        address: '127.0.0.1',
        secret: nasSecret,
        vendor: 'coovachilli',
        venueId: venue.id,
      });
  } finally {
    await db.close();
  }
}

/** One Foyer process on the prepared database, started. */
export async function startSignupFoyer(s: SignupSetup): Promise<FoyerProcess> {
  const p = await foyerProcess({
    DATABASE_URL: s.dbUrl,
    DATA_DIR: s.dir,
    SECRET_KEY: s.secretKey,
    SMS_OUTBOX: s.outbox,
    LOG_LEVEL: 'error',
  });
  await p.start();
  return p;
}
