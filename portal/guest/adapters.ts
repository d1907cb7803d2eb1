// The access-point adapter that read a stored Handoff (portal/access-points/).
import { adapterFor, detectAdapter } from '../access-points/index.ts';
import type { AccessPointAdapter, Handoff } from '../access-points/handoff.ts';

/** The adapter that read a stored Handoff (generic if that vendor is no longer known). */
export const adapterForHandoff = (h: Handoff): AccessPointAdapter => adapterFor(h.vendor) ?? detectAdapter({});
