// The one vendor registry: every NAS vendor Foyer knows, with its portal adapter, the RADIUS
// reply attributes its NAS reads and the hosts its own cloud takes logins at. The vendor
// names a NAS or a venue may be given (VENDORS), the adapters (index.ts), the login hosts
// (login-hosts.ts) and each NAS's RADIUS replies (replyProfileOf, through NasClient) all
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
}

/** In the order people are shown them (CLI help, the console's lists). */
const REGISTRY = {
  coovachilli: { adapter: coovachilli, detectRank: 1, radius: { profile: 'chillispot', source: 'chilli-radius(5): WISPr and ChilliSpot bandwidth, ChilliSpot-Max-Total-Octets' } },
  opennds: { adapter: opennds, detectRank: 7, radius: { profile: 'wispr', source: 'WISPr bandwidth attributes (bit/s)' } },
  mikrotik: { adapter: mikrotik, detectRank: 2, radius: { profile: 'mikrotik', source: 'RouterOS RADIUS client: Mikrotik-Rate-Limit, Mikrotik-Total-Limit(+Gigawords)' } },
  unifi: { adapter: unifi, detectRank: 6, radius: { profile: 'none', source: 'UniFi documents no RADIUS bandwidth attribute for hotspots; limits are set on the controller' } },
  meraki: {
    adapter: meraki,
    detectRank: 3,
    radius: { profile: 'filter-id', source: 'Meraki documents no bandwidth attribute; Filter-Id names the group policy (which sets the limit)' },
    loginHosts: ['*.network-auth.com'],
  },
  cisco: { adapter: cisco, detectRank: 4, radius: { profile: 'airespace', source: 'Cisco WLC (AireOS) per-user rate limits: Airespace-Data-Bandwidth-Average-Contract(-Upstream), kbit/s' } },
  aruba: {
    adapter: aruba,
    detectRank: 8,
    radius: { profile: 'aruba-role', source: 'Aruba: bandwidth contracts belong to user roles; RADIUS assigns the role with Aruba-User-Role' },
    loginHosts: ['securelogin.arubanetworks.com', 'captiveportal-login.arubainstanton.com'],
  },
  ruckus: { adapter: ruckus, detectRank: 5, radius: { profile: 'wispr', source: 'Ruckus SmartZone hotspot (WISPr) WLANs: WISPr-Bandwidth-Max-Up/Down (bit/s)' } },
  pfsense: { adapter: pfsense, detectRank: 9, radius: { profile: 'wispr', source: 'pfSense captive portal per-user bandwidth from RADIUS: WISPr-Bandwidth-Max-Up/Down (bit/s)' } },
  opnsense: { adapter: opnsense, detectRank: 10, radius: { profile: 'wispr', source: 'OPNsense documents no RADIUS bandwidth attribute; WISPr, the most widely read, as for an unknown NAS' } },
  generic: { adapter: generic, detectRank: 99, radius: { profile: 'wispr', source: 'WISPr bandwidth attributes (bit/s), the most widely read' } },
} satisfies Record<string, VendorEntry>;

export type Vendor = keyof typeof REGISTRY;

/** Every vendor a NAS (or a venue's default) may name. */
export const VENDORS = Object.keys(REGISTRY) as [Vendor, ...Vendor[]];

const ENTRIES: ReadonlyMap<string, VendorEntry> = new Map(Object.entries(REGISTRY));

export function vendorEntry(vendor: string): VendorEntry | undefined {
  return ENTRIES.get(vendor);
}

/** The adapters in detection order. */
export const ADAPTERS: readonly AccessPointAdapter[] = [...ENTRIES.values()].sort((a, b) => a.detectRank - b.detectRank).map((e) => e.adapter);

/** The reply attributes a NAS of this vendor gets; a vendor no longer known gets generic's (WISPr). */
export function replyProfileOf(vendor: string): ReplyProfileId {
  return (ENTRIES.get(vendor) ?? REGISTRY.generic).radius.profile;
}

export function vendorLoginHosts(vendor: string): readonly string[] {
  return ENTRIES.get(vendor)?.loginHosts ?? [];
}
