// How many sign-ups one address may start at one venue: the bound on the only write an
// unauthenticated guest causes (a flow, written with its code). The SMS limits bound the
// codes; this bounds the flows too, where an operator raised the per-address SMS limit
// (a venue behind one NAT address). It is counted with the flow's code, in the send's
// transaction and under its lock (verification/limits.ts, dimension 'start'): a check made
// before the send, then the flow written after it, let every one of a burst of parallel
// submissions through (test/security/start-limit-race.test.ts). The check before the send
// stays, as a read that spares the writer a flood's refusals.
import type { Queryable } from '../store/db.ts';
import { sendBlocked, type SendKeys } from '../verification/limits.ts';
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

/**
 * When this address may start another flow here (ms since epoch), or undefined when it may
 * now: a read of the counters before the send, so a flood of submissions is refused
 * without taking the writer; the send's own check, under its lock, is the one that holds.
 */
export async function startBlockedUntil(
  db: Queryable,
  venueId: string,
  clientIp: string,
  limits: VenueSettings['limits'],
  now: number,
): Promise<number | undefined> {
  const keys = { venueId, numberHash: '', macHash: null, clientIp, nasId: null, callingCode: '' };
  return (await sendBlocked(db, limits, flowStartKeys(limits, keys), now, 'flow-start'))?.retryAt;
}
