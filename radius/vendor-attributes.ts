// The reply attributes a NAS reads for speed, data caps and roles, as dictionaries of the
// protocol: one profile per attribute family, keyed by its own id. Which vendor's NAS reads
// which profile is the product's knowledge (portal/access-points/registry.ts hands each NAS
// its profile through NasClient.replyProfile); radius/ knows no vendor list. Data, not code:
// each row names its source.
import type { AccessDecision, Bandwidth, ReplyProfileId } from './types.ts';
import type { NamedAttribute } from './codec.ts';

type Accept = Extract<AccessDecision, { result: 'accept' }>;

/** A rate attribute: which direction, and the unit the vendor wants. */
interface RateAttribute {
  name: string;
  direction: 'up' | 'down';
  unit: 'bit/s' | 'kbit/s';
}

export interface ReplyProfile {
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

export const REPLY_PROFILES: Record<ReplyProfileId, ReplyProfile> = {
  wispr: { source: 'WISPr bandwidth attributes (bit/s), the most widely read', rates: WISPR },
  chillispot: {
    source:
      'chilli-radius(5): WISPr-Bandwidth-Max-* in bit/s, ChilliSpot-Bandwidth-Max-* in kbit/s, ChilliSpot-Max-Total-Octets',
    rates: [
      ...WISPR,
      { name: 'ChilliSpot-Bandwidth-Max-Up', direction: 'up', unit: 'kbit/s' },
      { name: 'ChilliSpot-Bandwidth-Max-Down', direction: 'down', unit: 'kbit/s' },
    ],
    dataLimit: { name: 'ChilliSpot-Max-Total-Octets' },
  },
  mikrotik: {
    source:
      'RouterOS RADIUS client: Mikrotik-Rate-Limit "rx/tx" seen from the router (rx = client upload), Mikrotik-Total-Limit(+Gigawords)',
    rates: [],
    rateLimitString: 'Mikrotik-Rate-Limit',
    dataLimit: { name: 'Mikrotik-Total-Limit', gigawords: 'Mikrotik-Total-Limit-Gigawords' },
  },
  airespace: {
    source: 'Cisco Airespace per-user rate limits: Airespace-Data-Bandwidth-Average-Contract(-Upstream), kbit/s',
    rates: [
      { name: 'Airespace-Data-Bandwidth-Average-Contract-Upstream', direction: 'up', unit: 'kbit/s' },
      { name: 'Airespace-Data-Bandwidth-Average-Contract', direction: 'down', unit: 'kbit/s' },
    ],
  },
  'aruba-role': {
    source: 'Aruba-User-Role names a user role (which holds the bandwidth contract)',
    rates: [],
    role: 'Aruba-User-Role',
  },
  'filter-id': { source: 'Filter-Id (RFC 2865) names a policy defined on the NAS', rates: [], role: 'Filter-Id' },
  none: { source: 'no bandwidth, data cap or role attribute', rates: [] },
};

const UINT32_MAX = 0xffffffff;

function rate(b: Bandwidth, r: RateAttribute): number | undefined {
  const kbps = r.direction === 'up' ? b.upKbps : b.downKbps;
  if (!kbps || kbps <= 0) return undefined; // absent or 0: unlimited, send nothing
  return Math.min(UINT32_MAX, Math.round(r.unit === 'bit/s' ? kbps * 1000 : kbps));
}

/** The vendor part of an Access-Accept, in the attributes of the NAS's reply profile. */
export function vendorReplyAttributes(profileId: ReplyProfileId, d: Accept): NamedAttribute[] {
  const profile = REPLY_PROFILES[profileId];
  const out: NamedAttribute[] = [];
  const bw = d.bandwidth;
  if (bw) {
    for (const r of profile.rates) {
      const v = rate(bw, r);
      if (v !== undefined) out.push({ name: r.name, value: v });
    }
    if (profile.rateLimitString && ((bw.upKbps ?? 0) > 0 || (bw.downKbps ?? 0) > 0)) {
      // MikroTik reads 0 as "no limit" for that direction.
      out.push({
        name: profile.rateLimitString,
        value: `${Math.round(bw.upKbps ?? 0)}k/${Math.round(bw.downKbps ?? 0)}k`,
      });
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
