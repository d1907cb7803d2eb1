// Erasure on a person's request: their personal data goes (subjects.ts eraseSubjects, the
// same erasure the retention job runs), every ledger event stays; with the admin audit
// entry, in the caller's transaction.
import type { Tx } from '../../store/db.ts';
import { audit, type Actor } from '../../accounts/audit.ts';
import { eraseSubjects } from '../subjects.ts';

export async function eraseByOperator(
  tx: Tx,
  o: { venueSlug: string; subjectId: string; actor: Actor; now: number },
): Promise<boolean> {
  const erased = (await eraseSubjects(tx, { subjectId: o.subjectId }, o.now)) > 0;
  await audit(tx, o.actor, 'consents.erase', o.venueSlug, { subject: o.subjectId });
  return erased;
}
