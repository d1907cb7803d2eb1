// Codes and flows are working state, not records: verification drops expired codes and
// old sends (verification/purge.ts), sign-up its expired flows (signup/purge-flows.ts).
// The ledger keeps the proof.
import { purgeExpiredCodes, purgeOldSends } from '../verification/purge.ts';
import { purgeExpiredFlows } from '../signup/purge-flows.ts';
import type { Job } from './job.ts';

export const purgeVerificationsJob: Job = {
  name: 'purge-verifications',
  schedule: '*/10 * * * *',
  async run({ db, now }) {
    const t = now();
    const codes = await purgeExpiredCodes(db, t);
    const flows = await purgeExpiredFlows(db, t);
    const sends = await purgeOldSends(db, t);
    return { codes, flows, sends };
  },
};
