// Vendors write MACs their own way (aa:bb:.., AA-BB-.., aabb.ccdd.eeff, aabbccddeeff);
// grants, sessions and RADIUS Calling-Station-Id comparisons need exactly one form.

const FORMS = [
  /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})-([0-9a-f]{2})-([0-9a-f]{2})-([0-9a-f]{2})-([0-9a-f]{2})-([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})-([0-9a-f]{2})([0-9a-f]{2})-([0-9a-f]{2})([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i,
];

/** Lower-case colon form, or undefined when `raw` is not a MAC address. */
export function normaliseMac(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim();
  for (const re of FORMS) {
    const m = re.exec(s);
    if (m) return m.slice(1).join(':').toLowerCase();
  }
  return undefined;
}

function firstOctet(mac: string): number {
  return parseInt(mac.slice(0, 2), 16);
}

/**
 * Locally administered (U/L bit set): iOS, Android and Windows "private" addresses, one per
 * network and possibly rotated. Such an address says little about who comes back.
 */
export function isLocallyAdministered(mac: string): boolean {
  return (firstOctet(mac) & 0x02) !== 0;
}

/** Group (multicast/broadcast) bit: never the address of one device. */
export function isGroupAddress(mac: string): boolean {
  return (firstOctet(mac) & 0x01) !== 0;
}
