// Finding a venue's NAS from what arrives without a venue slug or from the NAS itself:
// UniFi's /guest/s/<site>/ redirect, and openNDS authmon's polls.
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { listVenueNas } from '../access/nas-clients.ts';
import { inAddress } from './login-hosts.ts';

/**
 * The venue slug whose UniFi NAS serves this controller site (its --site, its --nas-id, or
 * "default" when neither is set). Undefined when none or several venues claim it.
 */
export async function venueSlugForUnifiSite(db: Queryable, site: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(site)) return undefined;
  const rows = await db.all<{ slug: string }>(
    `SELECT DISTINCT v.slug FROM nas_clients n JOIN venues v ON v.id = n.venue_id
     WHERE n.vendor = 'unifi' AND (n.controller_site = ? OR n.portal_id = ? OR (? = 'default' AND n.controller_site IS NULL AND n.portal_id IS NULL))`,
    [site, site, site],
  );
  return rows.length === 1 ? rows[0].slug : undefined;
}

/** authmon polls come from an openNDS gateway of this venue registered for FAS level 3. */
export async function isAuthmonSource(db: Queryable, cipher: FieldCipher, venueId: string, ip: string): Promise<boolean> {
  const addr = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return (await listVenueNas(db, cipher, venueId)).some((n) => n.vendor === 'opennds' && n.portal.authmon && inAddress(n.address, addr));
}
