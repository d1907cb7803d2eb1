// A flow's current code: its state (ok, expired, too many tries, used) and the screen 1
// submission it was sent for: the number shown on screen 2, resent to, and recorded.
import type { Db, Tx } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { verificationState } from '../verification/verifications.ts';
import type { Flow } from './flows.ts';
import { readSubmission } from './submission.ts';

export async function currentCode(
  deps: { db: Db | Tx; cipher: FieldCipher },
  flow: Pick<Flow, 'verificationId'>,
  now: number,
) {
  const state = flow.verificationId ? await verificationState(deps.db, flow.verificationId, now) : undefined;
  return { state, submission: readSubmission(deps.cipher, state?.submissionEnc) };
}
