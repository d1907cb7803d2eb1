// Choosing an adapter (registry.ts lists them): by the NAS's configured vendor first, by the
// redirect's shape as a fallback, and generic when nothing else recognises it.
import type { AccessPointAdapter } from './handoff.ts';
import { ADAPTERS, vendorEntry } from './registry.ts';
import { generic } from './generic.ts';

export { ADAPTERS };

export function adapterFor(vendor: string): AccessPointAdapter | undefined {
  return vendorEntry(vendor)?.adapter;
}

export function detectAdapter(query: Record<string, string>): AccessPointAdapter {
  return ADAPTERS.find((a) => a.detect(query)) ?? generic;
}

export { HandoffError } from './handoff.ts';
export type { AccessPointAdapter, AdapterContext, Credentials, HandBack, Handoff } from './handoff.ts';
