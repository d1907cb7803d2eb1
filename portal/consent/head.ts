// The ledger's head: the last event's seq and hash, how many events were appended, the
// last event's time (the floor for the next) and where format 2 begins (v2_from), sealed
// with an HMAC under the ledger subkey. Without the key, the head cannot be moved back
// over removed events, nor its switch point moved to let unkeyed hashes back in; what
// the seal cannot stop is putting back an earlier sealed head row (deploy/SECURITY.md).
import type { Queryable, Tx } from '../store/db.ts';
import type { MigrationSteps } from '../store/migrations/sql.ts';
import { requireIn } from '../store/requirements.ts';
import { safeEqual, type Keys } from '../crypto/keys.ts';

export interface LedgerHead {
  seq: number;
  hash: string;
  count: number;
  at: number;
  v2_from: number;
  mac: string | null;
}

export function headMac(keys: Keys, h: Omit<LedgerHead, 'mac'>): string {
  return keys.hmac(
    'ledger-chain',
    JSON.stringify(['head', Number(h.seq), h.hash, Number(h.count), Number(h.at), Number(h.v2_from)]),
  );
}

export const headSealed = (keys: Keys, h: LedgerHead): boolean => h.mac !== null && safeEqual(h.mac, headMac(keys, h));

/** The head's row, with `extraSql` (more columns) after its own. */
export const headSql = (extraSql = '') =>
  `SELECT seq, hash, count, at, v2_from, mac${extraSql} FROM ledger_head WHERE id = 1`;

export async function readHead(db: Queryable, extraSql = ''): Promise<(LedgerHead & { now?: number }) | undefined> {
  return db.get(headSql(extraSql));
}

/** Sent with the transaction's COMMIT (Tx.defer); the head as written, sealed. */
export function writeHead(tx: Tx, keys: Keys, h: Omit<LedgerHead, 'mac'>): LedgerHead {
  const sealed = { seq: h.seq, hash: h.hash, count: h.count, at: h.at, v2_from: h.v2_from, mac: headMac(keys, h) };
  tx.defer('UPDATE ledger_head SET seq = ?, hash = ?, count = ?, at = ?, v2_from = ?, mac = ? WHERE id = 1', [
    sealed.seq,
    sealed.hash,
    sealed.count,
    sealed.at,
    sealed.v2_from,
    sealed.mac,
  ]);
  return sealed;
}

/**
 * With the COMMIT: the transaction fails (isUnmet) unless the head row is still `h`, every
 * column of it, at this point of the transaction.
 */
export function requireHead(tx: Tx, h: LedgerHead): void {
  requireIn(
    tx,
    'SELECT 1 FROM ledger_head WHERE id = 1 AND seq = ? AND hash = ? AND count = ? AND at = ? AND v2_from = ? AND mac = ?',
    [Number(h.seq), h.hash, Number(h.count), Number(h.at), Number(h.v2_from), h.mac],
  );
}

/** What migrate() needs SECRET_KEY for: migration 016 seals the head it just extended, in its own transaction. */
export const ledgerMigrationSteps = (keys: Keys): MigrationSteps => ({
  '016_ledger_v2': async (tx) => {
    const h = await readHead(tx);
    if (h) writeHead(tx, keys, h);
  },
});

/** How many events the ledger holds, from its head (one row: cheap at every metrics scrape). */
export async function ledgerEventCount(db: Queryable): Promise<number | undefined> {
  const head = await db.get<{ count: number | string }>('SELECT count FROM ledger_head WHERE id = 1');
  return head ? Number(head.count) : undefined;
}
