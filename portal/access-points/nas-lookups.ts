// Finding a venue's NAS from what arrives without a venue slug or from the NAS itself:
// UniFi's /guest/s/<site>/ redirect, and openNDS authmon's polls.
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { listVenueNas, venuesOfUnifiSite } from '../access/nas-clients.ts';
import { venueNamesById } from '../venues/venue-names.ts';
import { inAddress } from './login-hosts.ts';

/**
 * The venue slug whose UniFi NAS serves this controller site (its --site, its --nas-id, or
 * "default" when neither is set). Undefined when none or several venues claim it.
 */
export async function venueSlugForUnifiSite(db: Queryable, site: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(site)) return undefined;
  const venueIds = await venuesOfUnifiSite(db, site);
  if (venueIds.length !== 1) return undefined;
  return (await venueNamesById(db, venueIds)).get(venueIds[0])?.slug;
}

/** authmon polls come from an openNDS gateway of this venue registered for FAS level 3. */
export async function isAuthmonSource(
  db: Queryable,
  cipher: FieldCipher,
  venueId: string,
  ip: string,
): Promise<boolean> {
  const addr = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return (await listVenueNas(db, cipher, venueId)).some(
    (n) => n.vendor === 'opennds' && n.portal.authmon && inAddress(n.address, addr),
  );
}
