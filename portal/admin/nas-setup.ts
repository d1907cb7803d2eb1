// What to enter on a vendor's equipment for it to use Foyer: the RADIUS server and
// ports, the portal URL and the walled garden, named as that vendor's interface names them.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import type { NasPortalSettings } from '../access-points/hand-back-settings.ts';
import { vendorSetupPlaces, type SetupKey } from '../access-points/registry.ts';
import { fillPlaceholders, guideHtml } from './guide-html.ts';

export const GUIDES_DIR = resolve(fileURLToPath(new URL('../../deploy/access-points', import.meta.url)));

export interface SetupRow {
  key: SetupKey;
  value: string;
  where?: string;
}

export interface SetupNas {
  vendor: string;
  address: string;
  coaPort: number;
  requireMessageAuthenticator: boolean;
  portal: NasPortalSettings;
}

/**
 * The address guests and the NAS reach Foyer at: PUBLIC_URL, else the address the admin
 * opened the console at (shown with a warning: on a laptop that may be localhost).
 */
export function publicBase(
  config: Config,
  requestOrigin: string,
): { base: string; host: string; fromRequest: boolean } {
  const base = (config.PUBLIC_URL ?? requestOrigin).replace(/\/$/, '');
  return { base, host: new URL(base).hostname, fromRequest: !config.PUBLIC_URL };
}

export function setupRows(config: Config, nas: SetupNas, venueSlug: string, requestOrigin: string): SetupRow[] {
  const { base, host } = publicBase(config, requestOrigin);
  const where = vendorSetupPlaces(nas.vendor);
  const rows: SetupRow[] = [
    { key: 'server', value: host },
    { key: 'authPort', value: String(config.RADIUS_AUTH_PORT) },
    { key: 'acctPort', value: String(config.RADIUS_ACCT_PORT) },
    { key: 'secret', value: '' },
    { key: 'portal', value: `${base}/p/${venueSlug}` },
    { key: 'walledGarden', value: host },
    { key: 'coaPort', value: String(nas.coaPort) },
    { key: 'messageAuthenticator', value: nas.requireMessageAuthenticator ? 'required' : 'optional' },
    { key: 'nasId', value: nas.portal.nasIdentifier ?? '' },
    { key: 'uamSecret', value: nas.portal.uamSecret ? 'set' : '' },
    { key: 'loginHosts', value: [...nas.portal.loginHosts, nas.address].join(', ') },
    { key: 'authMethod', value: nas.portal.authMethod ?? '' },
  ];
  return rows.map((r) => ({ ...r, where: where[r.key] }));
}

/** The vendor's guide as HTML, with what Foyer knows of this NAS in place of the placeholders. */
export function guidePage(
  config: Config,
  nas: SetupNas & { name: string },
  venueSlug: string,
  requestOrigin: string,
): string | undefined {
  const file = guideFor(nas.vendor);
  if (!file) return undefined;
  const { host } = publicBase(config, requestOrigin);
  // Secrets stay placeholders: like the RADIUS secret, the UAM secret is shown only when entered.
  return guideHtml(fillPlaceholders(readFileSync(file, 'utf8'), { PORTAL: host, RADIUS_IP: host, VENUE: venueSlug }));
}

export function guideFor(vendor: string): string | undefined {
  const file = join(GUIDES_DIR, `${vendor}.md`);
  return /^[a-z]+$/.test(vendor) && existsSync(file) ? file : undefined;
}
