// Ledger command: an operator withdraws a person's consent to offers on the person's
// request. In the caller's transaction: the check that there is a consent to withdraw
// (read inside the transaction, so two clicks cannot both pass it), the ledger event and
// the admin audit entry, together.
import type { Tx } from '../../store/db.ts';
import type { Keys } from '../../crypto/keys.ts';
import { FoyerError } from '../../errors.ts';
import { audit, type Actor } from '../../accounts/audit.ts';
import { appendEvents, type AppendedEvent } from '../append.ts';
import type { Purpose } from '../event.ts';
import { latestDecisions, subjectEvents } from '../search.ts';
import { findSubject } from '../subjects.ts';

export interface OperatorWithdrawal {
  venue: { id: string; slug: string };
  numberHash: string;
  purpose: Exclude<Purpose, 'terms'>;
  actor: Actor;
  /** The operator's note (why, on whose request), kept as the event's evidence. */
  note: string;
}

export async function withdrawByOperator(tx: Tx, keys: Keys, w: OperatorWithdrawal): Promise<AppendedEvent> {
  const latest = latestDecisions(await subjectEvents(tx, w.venue.id, w.numberHash));
  if (latest[w.purpose]?.decision !== 'granted')
    throw new FoyerError(
      'admin_withdraw_not_granted',
      409,
      'This person has not given this consent, so there is nothing to withdraw.',
    );
  const subject = await findSubject(tx, w.venue.id, w.numberHash);
  const [e] = await appendEvents(
    tx,
    [
      {
        venueId: w.venue.id,
        purpose: w.purpose,
        decision: 'withdrawn',
        channel: 'operator',
        numberHash: w.numberHash,
        subjectId: subject?.id ?? null,
        actor: w.actor.email,
        evidence: w.note ? JSON.stringify({ note: w.note }) : null,
        clientIp: w.actor.ip,
      },
    ],
    keys,
  );
  await audit(tx, w.actor, 'consents.withdraw', w.venue.slug, { purpose: w.purpose, event: e.id });
  return e;
}
