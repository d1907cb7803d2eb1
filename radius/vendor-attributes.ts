// Which reply attributes each NAS vendor reads for speed, data caps and roles.
// Data, not code: each row names its source. Where a vendor documents nothing
// (UniFi, Meraki for bandwidth) the row is empty rather than guessed.
import type { AccessDecision, Bandwidth } from './types.ts';
import type { NamedAttribute } from './codec.ts';

type Accept = Extract<AccessDecision, { result: 'accept' }>;

/** A rate attribute: which direction, and the unit the vendor wants. */
interface RateAttribute {
  name: string;
  direction: 'up' | 'down';
  unit: 'bit/s' | 'kbit/s';
}

interface VendorProfile {
  source: string;
  rates: RateAttribute[];
  /** MikroTik packs both directions into one string. */
  rateLimitString?: string;
  /** 32-bit byte counter attribute, with its gigawords companion when the vendor has one. */
  dataLimit?: { name: string; gigawords?: string };
  /** Attribute that carries AccessDecision.role. */
  role?: string;
}

const WISPR: RateAttribute[] = [
  { name: 'WISPr-Bandwidth-Max-Up', direction: 'up', unit: 'bit/s' },
  { name: 'WISPr-Bandwidth-Max-Down', direction: 'down', unit: 'bit/s' },
];

export const VENDOR_PROFILES: Record<string, VendorProfile> = {
  coovachilli: {
    source: 'chilli-radius(5): WISPr-Bandwidth-Max-* in bit/s, ChilliSpot-Bandwidth-Max-* in kbit/s, ChilliSpot-Max-Total-Octets',
    rates: [
      ...WISPR,
      { name: 'ChilliSpot-Bandwidth-Max-Up', direction: 'up', unit: 'kbit/s' },
      { name: 'ChilliSpot-Bandwidth-Max-Down', direction: 'down', unit: 'kbit/s' },
    ],
    dataLimit: { name: 'ChilliSpot-Max-Total-Octets' },
  },
  mikrotik: {
    source: 'RouterOS RADIUS client: Mikrotik-Rate-Limit "rx/tx" seen from the router (rx = client upload), Mikrotik-Total-Limit(+Gigawords)',
    rates: [],
    rateLimitString: 'Mikrotik-Rate-Limit',
    dataLimit: { name: 'Mikrotik-Total-Limit', gigawords: 'Mikrotik-Total-Limit-Gigawords' },
  },
  opennds: { source: 'WISPr bandwidth attributes (bit/s)', rates: WISPR },
  generic: { source: 'WISPr bandwidth attributes (bit/s), the most widely read', rates: WISPR },
  pfsense: { source: 'pfSense captive portal per-user bandwidth from RADIUS: WISPr-Bandwidth-Max-Up/Down (bit/s)', rates: WISPR },
  ruckus: { source: 'Ruckus SmartZone hotspot (WISPr) WLANs: WISPr-Bandwidth-Max-Up/Down (bit/s)', rates: WISPR },
  aruba: {
    source: 'Aruba: bandwidth contracts belong to user roles; RADIUS assigns the role with Aruba-User-Role',
    rates: [],
    role: 'Aruba-User-Role',
  },
  cisco: {
    source: 'Cisco WLC (AireOS) per-user rate limits: Airespace-Data-Bandwidth-Average-Contract(-Upstream), kbit/s',
    rates: [
      { name: 'Airespace-Data-Bandwidth-Average-Contract-Upstream', direction: 'up', unit: 'kbit/s' },
      { name: 'Airespace-Data-Bandwidth-Average-Contract', direction: 'down', unit: 'kbit/s' },
    ],
  },
  meraki: {
    source: 'Meraki documents no bandwidth attribute; Filter-Id names the group policy (which sets the limit)',
    rates: [],
    role: 'Filter-Id',
  },
  unifi: { source: 'UniFi documents no RADIUS bandwidth attribute for hotspots; limits are set on the controller', rates: [] },
};

const UINT32_MAX = 0xffffffff;

function rate(b: Bandwidth, r: RateAttribute): number | undefined {
  const kbps = r.direction === 'up' ? b.upKbps : b.downKbps;
  if (!kbps || kbps <= 0) return undefined; // absent or 0: unlimited, send nothing
  return Math.min(UINT32_MAX, Math.round(r.unit === 'bit/s' ? kbps * 1000 : kbps));
}

/** The vendor part of an Access-Accept. Unknown vendors get the generic (WISPr) row. */
export function vendorReplyAttributes(vendor: string, d: Accept): NamedAttribute[] {
  const profile = VENDOR_PROFILES[vendor] ?? VENDOR_PROFILES.generic;
  const out: NamedAttribute[] = [];
  const bw = d.bandwidth;
  if (bw) {
    for (const r of profile.rates) {
      const v = rate(bw, r);
      if (v !== undefined) out.push({ name: r.name, value: v });
    }
    if (profile.rateLimitString && ((bw.upKbps ?? 0) > 0 || (bw.downKbps ?? 0) > 0)) {
      // MikroTik reads 0 as "no limit" for that direction.
      out.push({ name: profile.rateLimitString, value: `${Math.round(bw.upKbps ?? 0)}k/${Math.round(bw.downKbps ?? 0)}k` });
    }
  }
  if (profile.dataLimit && d.dataLimitBytes !== undefined && d.dataLimitBytes > 0) {
    const bytes = Math.floor(d.dataLimitBytes);
    if (profile.dataLimit.gigawords) {
      out.push({ name: profile.dataLimit.name, value: bytes % 2 ** 32 });
      const giga = Math.floor(bytes / 2 ** 32);
      if (giga > 0) out.push({ name: profile.dataLimit.gigawords, value: Math.min(UINT32_MAX, giga) });
    } else {
      // No gigawords companion: a cap above 4 GiB is sent as the largest the counter holds.
      out.push({ name: profile.dataLimit.name, value: Math.min(UINT32_MAX, bytes) });
    }
  }
  if (profile.role && d.role) out.push({ name: profile.role, value: d.role });
  return out;
}
