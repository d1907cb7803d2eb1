// Code sends written the way the product writes them (verification/limits.ts recordSend),
// in bulk: the traffic a limit check has to look through. One address, NAS and country at
// one venue; a new number and device per send. For test/verification/limit-cost.test.ts
// and test/bench/limits.bench.ts, which compare a check at 10 sends with one at many.
import type { Db } from '../../portal/store/db.ts';
import { recordSend, type SendKeys } from '../../portal/verification/limits.ts';
import type { VenueSettings } from '../../portal/venues/settings.ts';

/** Every limit at its highest: the old check walked up to the limit's count of sends. */
export const RAISED: VenueSettings['limits'] = {
  perNumber10Min: 100,
  perNumberDay: 1000,
  perMacHour: 1000,
  perIpHour: 10_000,
  perNasHour: 1_000_000,
  perCountryHour: 1_000_000,
  venueDaily: 10_000_000,
};

export const trafficKeys = (venueId: string, n: number | string): SendKeys => ({
  venueId,
  numberHash: `num-${n}`,
  macHash: `mac-${n}`,
  clientIp: '10.99.0.1',
  nasId: 'nas-1',
  callingCode: '359',
});

/** `count` sends spread evenly over the `spreadMs` before `now`, committed in transactions of 2,000. */
export async function fillSends(db: Db, venueId: string, count: number, now: number, spreadMs: number): Promise<void> {
  for (let from = 0; from < count; from += 2000)
    await db.tx(async (tx) => {
      for (let i = from; i < Math.min(count, from + 2000); i++)
        recordSend(tx, trafficKeys(venueId, i), `v-${venueId}-${i}`, now - 1 - Math.floor((i * spreadMs) / count));
    });
}
