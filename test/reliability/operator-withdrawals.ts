// A process of its own that appends to the ledger the way an operator does (the admin
// page's command, withdrawByOperator: the event and the audit entry in one transaction),
// as fast as it can, until the file STOP exists. Each withdrawal is printed (its event id)
// only after its transaction committed: what the operator was told is done.
// node --import tsx operator-withdrawals.ts DATABASE_URL SECRET_KEY VENUE_SLUG STOP
import { existsSync } from 'node:fs';
import { openDb } from '../../portal/store/open.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { findVenueBySlug } from '../../portal/venues/venues.ts';
import { withdrawByOperator } from '../../portal/consent/commands/withdraw-by-operator.ts';
import { FoyerError } from '../../portal/errors.ts';
import { StoreError } from '../../portal/store/db.ts';

const [url, secretKey, slug, stop] = process.argv.slice(2);
const keys = deriveKeys(secretKey);
const db = await openDb(url);
const venue = (await findVenueBySlug(db, slug))!;
const actor = { id: null, email: 'operator@venue.test', ip: '127.0.0.9' };
let refused = 0;
process.stderr.write('ready\n');
while (!existsSync(stop)) {
  // A guest who agreed to offers and has not withdrawn yet (the guests sign up meanwhile).
  const next = await db.get<{ number_hash: string }>(
    `SELECT g.number_hash FROM consent_events g WHERE g.venue_id = ? AND g.purpose = 'sms' AND g.decision = 'granted'
       AND NOT EXISTS (SELECT 1 FROM consent_events w WHERE w.venue_id = g.venue_id AND w.number_hash = g.number_hash AND w.purpose = 'sms' AND w.decision = 'withdrawn')
     LIMIT 1`,
    [venue.id],
  );
  if (!next) {
    await new Promise((r) => setTimeout(r, 5));
    continue;
  }
  try {
    const e = await db.tx((tx) =>
      withdrawByOperator(tx, keys, {
        venue,
        numberHash: next.number_hash,
        purpose: 'sms',
        actor,
        note: 'on the guest request',
      }),
    );
    process.stdout.write(`${e.id}\n`);
  } catch (err) {
    // Busy (the other processes hold the writer) or already withdrawn: not acknowledged, try again.
    const cause = err instanceof StoreError ? (err.cause ?? err) : err;
    if (!(cause instanceof FoyerError) && !(err instanceof StoreError && err.code === 'busy')) throw err;
    refused++;
  }
}
process.stderr.write(`refused ${refused}\n`);
await db.close();
