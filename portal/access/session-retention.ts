// Network data retention (jobs/retention.ts): RADIUS sessions that ended long enough ago
// are deleted. Access owns the rule that makes that safe for data caps: a grant's usage
// is its sessions' octets less its used_base_octets (grant-state.ts), so the octets of
// the sessions dropped move into the base first, and a remembered device's cap still
// counts what it used once the sessions behind it are gone.
import type { Db, Param } from '../store/db.ts';

/** Sessions of the venue's NAS clients that ended before `before`. */
export function dropVenueSessions(db: Db, venueId: string, before: number): Promise<number> {
  return dropSessions(
    db,
    'sessions.stopped_at < ? AND sessions.nas_id IN (SELECT id FROM nas_clients WHERE venue_id = ?)',
    [before, venueId],
  );
}

/** Sessions of NAS clients since removed (no venue to take a clock from) that ended before `before`. */
export function dropOrphanSessions(db: Db, before: number): Promise<number> {
  return dropSessions(db, 'sessions.stopped_at < ? AND sessions.nas_id NOT IN (SELECT id FROM nas_clients)', [before]);
}

function dropSessions(db: Db, where: string, params: Param[]): Promise<number> {
  return db.tx(async (tx) => {
    await tx.run(
      `UPDATE grants SET used_base_octets = used_base_octets -
         (SELECT COALESCE(SUM(sessions.input_octets + sessions.output_octets), 0) FROM sessions WHERE sessions.grant_id = grants.id AND ${where})
       WHERE id IN (SELECT sessions.grant_id FROM sessions WHERE ${where})`,
      [...params, ...params],
    );
    return (await tx.run(`DELETE FROM sessions WHERE ${where}`, params)).changes;
  });
}
