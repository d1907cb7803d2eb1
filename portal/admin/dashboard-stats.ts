// A venue's figures for the dashboard: sign-ups per day, opt-in rate per purpose, SMS
// sent and failed, active sessions. Aggregates only, no personal data.
import type { Queryable } from '../store/db.ts';

const DAY = 86_400_000;

export interface VenueStats {
  days: { day: string; signups: number }[];
  optIn: { purpose: string; granted: number; declined: number; rate: number | null }[];
  sms: { sent: number; failed: number };
  activeSessions: number;
}

export async function venueStats(db: Queryable, venueId: string, now: number, days = 30): Promise<VenueStats> {
  const since = Math.floor(now / DAY) * DAY - (days - 1) * DAY;
  const perDay = await db.all<{ d: number; n: number }>(
    `SELECT at / ${DAY} AS d, COUNT(*) AS n FROM consent_events
     WHERE venue_id = ? AND purpose = 'terms' AND decision = 'granted' AND channel = 'portal' AND at >= ? GROUP BY at / ${DAY}`,
    [venueId, since],
  );
  const byDay = new Map(perDay.map((r) => [Number(r.d), Number(r.n)]));
  const out: VenueStats['days'] = [];
  for (let i = 0; i < days; i++) {
    const d = since / DAY + i;
    out.push({ day: new Date(d * DAY).toISOString().slice(0, 10), signups: byDay.get(d) ?? 0 });
  }
  const decisions = await db.all<{ purpose: string; decision: string; n: number }>(
    `SELECT purpose, decision, COUNT(*) AS n FROM consent_events
     WHERE venue_id = ? AND channel = 'portal' AND purpose <> 'terms' AND at >= ? GROUP BY purpose, decision`,
    [venueId, since],
  );
  const optIn = ['sms', 'email'].map((purpose) => {
    const granted = Number(decisions.find((d) => d.purpose === purpose && d.decision === 'granted')?.n ?? 0);
    const declined = Number(decisions.find((d) => d.purpose === purpose && d.decision === 'declined')?.n ?? 0);
    return { purpose, granted, declined, rate: granted + declined ? Math.round((granted / (granted + declined)) * 1000) / 10 : null };
  });
  const active = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM sessions s JOIN grants g ON g.id = s.grant_id WHERE g.venue_id = ? AND s.stopped_at IS NULL AND s.stale_at > ?`,
    [venueId, now],
  );
  return { days: out, optIn, sms: await smsCounts(db, venueId, since), activeSessions: Number(active?.n ?? 0) };
}

/** From the SMS message log (portal/sms/message-log.ts); messages still queued count in neither. */
async function smsCounts(db: Queryable, venueId: string, since: number): Promise<VenueStats['sms']> {
  const rows = await db.all<{ status: string; n: number }>(
    'SELECT status, COUNT(*) AS n FROM sms_messages WHERE venue_id = ? AND created_at >= ? GROUP BY status',
    [venueId, since],
  );
  const n = (...statuses: string[]) => rows.filter((r) => statuses.includes(r.status)).reduce((sum, r) => sum + Number(r.n), 0);
  return { sent: n('sent', 'delivered'), failed: n('failed', 'undeliverable') };
}
