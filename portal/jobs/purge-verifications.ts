// Codes and flows are working state, not records: expired codes (with their encrypted
// copy), abandoned or finished flows (with the hand-off and what the guest typed), and
// sends older than the longest limit window are deleted. The ledger keeps the proof.
import type { Job } from './job.ts';

/** A code is kept a little past its expiry so a late guest hears "expired", not "unknown". */
export const CODE_GRACE_MS = 60 * 60_000;
/** The longest limit window (a day), plus margin. */
export const SEND_LOG_MS = 25 * 3_600_000;

export const purgeVerificationsJob: Job = {
  name: 'purge-verifications',
  schedule: '*/10 * * * *',
  async run({ db, now }) {
    const t = now();
    const codes = (await db.run('DELETE FROM verifications WHERE expires_at < ?', [t - CODE_GRACE_MS])).changes;
    const flows = (await db.run('DELETE FROM guest_flows WHERE expires_at < ?', [t])).changes;
    const sends = (await db.run('DELETE FROM verification_sends WHERE at < ?', [t - SEND_LOG_MS])).changes;
    return { codes, flows, sends };
  },
};
