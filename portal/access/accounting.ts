// Accounting-Request policy: store first (the Accounting-Response goes out only once
// the record is committed), then check the session's grant against its limits.
import type { Queryable } from '../store/db.ts';
import type { AccountingRecord, Logger } from '../../radius/types.ts';
import { closeNasSessions, storeAccounting, type Session } from './sessions.ts';
import { normaliseMac } from './mac-format.ts';
import type { VenueSettingsCache } from './venue-cache.ts';

export interface AccountingDeps {
  db: Queryable;
  log: Logger;
  now: () => number;
  venues: VenueSettingsCache;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Stores the record; returns the session it touched (none for Accounting-On/Off or a record without Acct-Session-Id). */
export async function account(deps: AccountingDeps, rec: AccountingRecord): Promise<Session | undefined> {
  const now = deps.now();
  if (rec.status === 'accounting-on' || rec.status === 'accounting-off') {
    const closed = await closeNasSessions(
      deps.db,
      rec.nas.id,
      now,
      rec.status === 'accounting-on' ? 'NAS-Reboot' : 'NAS-Request',
    );
    deps.log.info({ nas: rec.nas.name, status: rec.status, closed }, 'NAS sessions closed');
    return undefined;
  }
  if (!rec.sessionId) {
    // Nothing to key it on; answering stops the NAS from resending it forever.
    deps.log.warn({ nas: rec.nas.name, status: rec.status }, 'accounting without Acct-Session-Id ignored');
    return undefined;
  }
  const settings = await deps.venues.get(rec.nas.venueId);
  const grantId = await grantOf(deps.db, rec);
  return storeAccounting(
    deps.db,
    { ...rec, sessionId: rec.sessionId },
    { grantId, interimSeconds: settings.session.interimMinutes * 60, now },
  );
}

/** Class carries the grant id (set in Access-Accept); NAS that drop it are matched by user name or MAC. */
async function grantOf(db: Queryable, rec: AccountingRecord): Promise<string | null> {
  const cls = rec.class?.trim();
  if (cls && UUID.test(cls)) return cls.toLowerCase();
  if (!rec.userName) return null;
  const mac = normaliseMac(rec.userName);
  const r = mac
    ? await db.get<{ id: string }>(
        'SELECT id FROM grants WHERE client_mac = ? AND venue_id = ? ORDER BY ends_at DESC LIMIT 1',
        [mac, rec.nas.venueId],
      )
    : await db.get<{ id: string }>('SELECT id FROM grants WHERE username = ?', [rec.userName]);
  return r?.id ?? null;
}
