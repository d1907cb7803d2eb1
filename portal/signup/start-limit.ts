// How many sign-ups one address may start at one venue: the bound on the only write an
// unauthenticated guest causes (a flow, written with its code). The SMS limits bound the
// codes; this bounds the flows too, where an operator raised the per-address SMS limit
// (a venue behind one NAT address). It is counted with the flow's code, in the send's
// transaction and under its lock (verification/limits.ts, dimension 'start'): a check made
// before the send, then the flow written after it, let every one of a burst of parallel
// submissions through (test/security/start-limit-race.test.ts). The send reads every limit
// on a reader first (verification/verifications.ts issueCode), so a flood's refusals never
// take the writer.
import type { SendKeys } from '../verification/limits.ts';
import type { VenueSettings } from '../venues/settings.ts';

/**
 * In ten minutes, as many as the per-address SMS limit allows codes in an hour (at least
 * 60): a flow is written only with a code, so this is the second bound, sized with the
 * first (a venue behind one NAT address raises perIpHour, and its flows follow).
 */
export const startLimit = (limits: Pick<VenueSettings['limits'], 'perIpHour'>) => Math.max(60, limits.perIpHour);

/** The send keys of a code that starts a flow (limits given) or of one for a flow that exists (undefined). */
export const flowStartKeys = (limits: VenueSettings['limits'] | undefined, keys: SendKeys): SendKeys =>
  limits ? { ...keys, flowStarts: startLimit(limits) } : keys;
