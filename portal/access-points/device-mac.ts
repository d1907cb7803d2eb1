// What a device's MAC says about it. One reading of the many formats serves the portal
// and RADIUS alike (../access/mac.ts).

export { normaliseMac } from '../access/mac.ts';

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
