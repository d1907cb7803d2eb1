// The adapter registry: by the NAS's configured vendor first, by the redirect's shape as a
// fallback, and generic when nothing else recognises it.
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

/**
 * Detection order: the most specific parameter sets first. Meraki and Cisco before the
 * rest because their names are unique; generic last because it accepts anything.
 */
export const ADAPTERS: readonly AccessPointAdapter[] = [coovachilli, mikrotik, meraki, cisco, ruckus, unifi, opennds, aruba, pfsense, opnsense, generic];

const BY_VENDOR = new Map(ADAPTERS.map((a) => [a.vendor, a]));

export function adapterFor(vendor: string): AccessPointAdapter | undefined {
  return BY_VENDOR.get(vendor);
}

export function detectAdapter(query: Record<string, string>): AccessPointAdapter {
  return ADAPTERS.find((a) => a.detect(query)) ?? generic;
}

export { HandoffError } from './handoff.ts';
export type { AccessPointAdapter, AdapterContext, Credentials, HandBack, Handoff } from './handoff.ts';
