// The one vendor registry: every NAS vendor Foyer knows, with its portal adapter, the RADIUS
// reply attributes its NAS reads and the hosts its own cloud takes logins at. The vendor
// names a NAS or a venue may be given (VENDORS), the adapters (index.ts), the login hosts
// (login-hosts.ts), each NAS's RADIUS replies (replyProfileOf, through NasClient) and where
// the console's setup page says each value goes (vendorSetupPlaces, admin/nas-setup.ts) all
// derive from it: a vendor is added here, or nowhere.
import type { ReplyProfileId } from '../../radius/types.ts';
import type { AccessPointAdapter } from './handoff.ts';
import { aruba } from './aruba.ts';
import { cisco } from './cisco.ts';
import { coovachilli } from './coovachilli.ts';
import { generic } from './generic.ts';
import { meraki } from './meraki.ts';
import { mikrotik } from './mikrotik.ts';
import { opennds } from './opennds.ts';
import { opnsense } from './opnsense.ts';
import { pfsense } from './pfsense.ts';
import { ruckus } from './ruckus.ts';
import { unifi } from './unifi.ts';

export interface VendorEntry {
  adapter: AccessPointAdapter;
  /**
   * Where a redirect matching several adapters goes: the lowest rank first. The most
   * specific parameter sets first (Meraki's and Cisco's names are unique); generic last
   * because it accepts anything.
   */
  detectRank: number;
  /** The reply attributes this vendor's NAS reads (radius/vendor-attributes.ts), and the vendor's word for it. */
  radius: { profile: ReplyProfileId; source: string };
  /**
   * Hosts the vendor's own cloud or controller answers on everywhere, so no venue has to
   * list them (login-hosts.ts): Meraki's splash login is served from <shard>.network-auth.com,
   * and Aruba Instant intercepts securelogin.arubanetworks.com (Instant On:
   * captiveportal-login.arubainstanton.com) on the AP itself.
   */
  loginHosts?: readonly string[];
  /**
   * Where each value Foyer gives the admin (the console's NAS setup page) goes in this
   * vendor's own configuration, in the vendor's terms. Required, so a vendor added without
   * it fails tsc; a value the vendor has no place for is left out (generic has only ours).
   */
  setup: SetupPlaces;
}

/** The values the console's NAS setup page lists (admin/nas-setup.ts). */
export type SetupKey =
  | 'server'
  | 'authPort'
  | 'acctPort'
  | 'secret'
  | 'portal'
  | 'walledGarden'
  | 'coaPort'
  | 'messageAuthenticator'
  | 'nasId'
  | 'uamSecret'
  | 'loginHosts'
  | 'authMethod';

export type SetupPlaces = Readonly<Partial<Record<SetupKey, string>>>;

/** In the order people are shown them (CLI help, the console's lists). */
const REGISTRY = {
  coovachilli: {
    adapter: coovachilli,
    detectRank: 1,
    radius: {
      profile: 'chillispot',
      source: 'chilli-radius(5): WISPr and ChilliSpot bandwidth, ChilliSpot-Max-Total-Octets',
    },
    setup: {
      nasId: 'HS_NASID / radiusnasid',
      uamSecret: 'HS_UAMSECRET / uamsecret',
      loginHosts: 'HS_UAMLISTEN:HS_UAMPORT',
      server: 'HS_RADIUS / radiusserver1',
      authPort: 'HS_RADAUTH / radiusauthport',
      acctPort: 'HS_RADACCT / radiusacctport',
      secret: 'HS_RADSECRET / radiussecret',
      portal: 'HS_UAMSERVER + HS_UAMFORMAT / uamserver',
      walledGarden: 'HS_UAMALLOW / uamallowed',
      coaPort: 'HS_COAPORT / coaport',
    },
  },
  opennds: {
    adapter: opennds,
    detectRank: 7,
    radius: { profile: 'wispr', source: 'WISPr bandwidth attributes (bit/s)' },
    setup: {
      nasId: 'gatewayname',
      uamSecret: 'faskey',
      portal: 'fasremotefqdn + fasport + faspath',
      walledGarden: 'walledgarden_fqdn_list',
    },
  },
  mikrotik: {
    adapter: mikrotik,
    detectRank: 2,
    radius: {
      profile: 'mikrotik',
      source: 'RouterOS RADIUS client: Mikrotik-Rate-Limit, Mikrotik-Total-Limit(+Gigawords)',
    },
    setup: {
      nasId: '/system identity or hotspot server name',
      loginHosts: 'hotspot DNS name / address',
      server: '/radius add address=',
      authPort: '/radius authentication-port=',
      acctPort: '/radius accounting-port=',
      secret: '/radius secret=',
      portal: 'hotspot login.html redirect',
      walledGarden: '/ip hotspot walled-garden add dst-host=',
      coaPort: '/radius incoming set accept=yes port=',
    },
  },
  unifi: {
    adapter: unifi,
    detectRank: 6,
    radius: {
      profile: 'none',
      source: 'UniFi documents no RADIUS bandwidth attribute for hotspots; limits are set on the controller',
    },
    setup: {
      server: 'RADIUS profile: Authentication server',
      acctPort: 'RADIUS profile: Accounting server port',
      secret: 'RADIUS profile: shared secret',
      portal: 'Hotspot: External portal server',
      walledGarden: 'Hotspot: Pre-authorization access',
    },
  },
  meraki: {
    adapter: meraki,
    detectRank: 3,
    radius: {
      profile: 'filter-id',
      source: 'Meraki documents no bandwidth attribute; Filter-Id names the group policy (which sets the limit)',
    },
    setup: {
      server: 'Splash page: RADIUS servers',
      secret: 'RADIUS servers: secret',
      portal: 'Custom splash URL',
      walledGarden: 'Walled garden ranges',
      coaPort: 'RADIUS CoA support (port)',
    },
    loginHosts: ['*.network-auth.com'],
  },
  cisco: {
    adapter: cisco,
    detectRank: 4,
    radius: {
      profile: 'airespace',
      source: 'Cisco WLC (AireOS) per-user rate limits: Airespace-Data-Bandwidth-Average-Contract(-Upstream), kbit/s',
    },
    setup: {
      server: 'Security > AAA > RADIUS Authentication',
      acctPort: 'RADIUS Accounting',
      portal: 'WebAuth: external web auth URL',
      walledGarden: 'Pre-auth ACL',
      coaPort: 'Support for CoA / RFC 3576',
    },
  },
  aruba: {
    adapter: aruba,
    detectRank: 8,
    radius: {
      profile: 'aruba-role',
      source: 'Aruba: bandwidth contracts belong to user roles; RADIUS assigns the role with Aruba-User-Role',
    },
    setup: {
      server: 'Authentication server (RADIUS)',
      portal: 'Captive portal: login page',
      walledGarden: 'Walled garden / whitelist',
      coaPort: 'RFC 3576 server',
    },
    loginHosts: ['securelogin.arubanetworks.com', 'captiveportal-login.arubainstanton.com'],
  },
  ruckus: {
    adapter: ruckus,
    detectRank: 5,
    radius: { profile: 'wispr', source: 'Ruckus SmartZone hotspot (WISPr) WLANs: WISPr-Bandwidth-Max-Up/Down (bit/s)' },
    setup: {
      server: 'AAA server (RADIUS)',
      portal: 'Hotspot (WISPr): login page URL',
      walledGarden: 'Walled garden',
      coaPort: 'CoA / Disconnect port',
    },
  },
  pfsense: {
    adapter: pfsense,
    detectRank: 9,
    radius: {
      profile: 'wispr',
      source: 'pfSense captive portal per-user bandwidth from RADIUS: WISPr-Bandwidth-Max-Up/Down (bit/s)',
    },
    setup: {
      server: 'Captive portal: RADIUS authentication, primary server',
      acctPort: 'RADIUS accounting port',
      portal: 'Portal page / redirect',
      walledGarden: 'Allowed hostnames',
      coaPort: 'RADIUS reauthentication (CoA)',
    },
  },
  opnsense: {
    adapter: opnsense,
    detectRank: 10,
    radius: {
      profile: 'wispr',
      source: 'OPNsense documents no RADIUS bandwidth attribute; WISPr, the most widely read, as for an unknown NAS',
    },
    setup: {
      server: 'Access > Servers (RADIUS)',
      portal: 'Captive portal: template / redirect',
      walledGarden: 'Allowed addresses',
      coaPort: 'CoA port',
    },
  },
  generic: {
    adapter: generic,
    detectRank: 99,
    radius: { profile: 'wispr', source: 'WISPr bandwidth attributes (bit/s), the most widely read' },
    setup: {},
  },
} satisfies Record<string, VendorEntry>;

export type Vendor = keyof typeof REGISTRY;

/** Every vendor a NAS (or a venue's default) may name. */
export const VENDORS = Object.keys(REGISTRY) as [Vendor, ...Vendor[]];

const ENTRIES: ReadonlyMap<string, VendorEntry> = new Map(Object.entries(REGISTRY));

export function vendorEntry(vendor: string): VendorEntry | undefined {
  return ENTRIES.get(vendor);
}

/** The adapters in detection order. */
export const ADAPTERS: readonly AccessPointAdapter[] = [...ENTRIES.values()]
  .sort((a, b) => a.detectRank - b.detectRank)
  .map((e) => e.adapter);

/** The reply attributes a NAS of this vendor gets; a vendor no longer known gets generic's (WISPr). */
export function replyProfileOf(vendor: string): ReplyProfileId {
  return (ENTRIES.get(vendor) ?? REGISTRY.generic).radius.profile;
}

/** Where this vendor's configuration takes each setup value; nothing for a vendor no longer known. */
export function vendorSetupPlaces(vendor: string): SetupPlaces {
  return ENTRIES.get(vendor)?.setup ?? {};
}

export function vendorLoginHosts(vendor: string): readonly string[] {
  return ENTRIES.get(vendor)?.loginHosts ?? [];
}
