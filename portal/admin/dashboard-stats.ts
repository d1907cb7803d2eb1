// A venue's figures for the dashboard: sign-ups per day, opt-in rate per purpose, SMS
// sent and failed, active sessions. Aggregates only, no personal data.
import type { Queryable } from '../store/db.ts';

const DAY = 86_400_000;

export interface VenueStats {
  days: { day: string; signups: number }[];
  optIn: { purpose: string; granted: number; declined: number; rate: number | null }[];
  sms?: { sent: number; failed: number };
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

/** From the SMS message log (portal/sms/), when that table exists on this installation. */
async function smsCounts(db: Queryable, venueId: string, since: number): Promise<VenueStats['sms']> {
  const table = await smsLogTable(db);
  if (!table) return undefined;
  const rows = await db.all<{ status: string; n: number }>(`SELECT ${table.status} AS status, COUNT(*) AS n FROM ${table.name} WHERE venue_id = ? AND ${table.at} >= ? GROUP BY ${table.status}`, [venueId, since]);
  let sent = 0;
  let failed = 0;
  for (const r of rows) {
    if (/fail|error|reject|undeliv/i.test(r.status)) failed += Number(r.n);
    else sent += Number(r.n);
  }
  return { sent, failed };
}

async function smsLogTable(db: Queryable): Promise<{ name: string; status: string; at: string } | undefined> {
  const sql = db.dialect === 'sqlite'
    ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('sms_messages', 'sms_log')`
    : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('sms_messages', 'sms_log')`;
  const t = (await db.all<{ name: string }>(sql))[0];
  if (!t) return undefined;
  const cols = db.dialect === 'sqlite'
    ? (await db.all<{ name: string }>(`PRAGMA table_info(${t.name})`)).map((c) => c.name)
    : (await db.all<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`, [t.name])).map((c) => c.name);
  const status = ['status', 'state', 'result'].find((c) => cols.includes(c));
  const at = ['created_at', 'sent_at', 'at'].find((c) => cols.includes(c));
  return status && at && cols.includes('venue_id') ? { name: t.name, status, at } : undefined;
}
