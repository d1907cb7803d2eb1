// A venue's figures for the dashboard: sign-ups per day, opt-in rate per purpose, SMS
// sent and failed, active sessions. Aggregates only, no personal data.
import type { Queryable } from '../store/db.ts';
import { portalDecisionCounts, signupsPerDay } from '../consent/stats.ts';
import { smsSentAndFailed } from '../sms/stats.ts';
import { activeSessionCount } from '../access/stats.ts';

const DAY = 86_400_000;

export interface VenueStats {
  days: { day: string; signups: number }[];
  optIn: { purpose: string; granted: number; declined: number; rate: number | null }[];
  sms: { sent: number; failed: number };
  activeSessions: number;
}

export async function venueStats(db: Queryable, venueId: string, now: number, days = 30): Promise<VenueStats> {
  const since = Math.floor(now / DAY) * DAY - (days - 1) * DAY;
  const byDay = await signupsPerDay(db, venueId, since);
  const out: VenueStats['days'] = [];
  for (let i = 0; i < days; i++) {
    const d = since / DAY + i;
    out.push({ day: new Date(d * DAY).toISOString().slice(0, 10), signups: byDay.get(d) ?? 0 });
  }
  const decisions = await portalDecisionCounts(db, venueId, since);
  const optIn = ['sms', 'email'].map((purpose) => {
    const granted = Number(decisions.find((d) => d.purpose === purpose && d.decision === 'granted')?.n ?? 0);
    const declined = Number(decisions.find((d) => d.purpose === purpose && d.decision === 'declined')?.n ?? 0);
    return {
      purpose,
      granted,
      declined,
      rate: granted + declined ? Math.round((granted / (granted + declined)) * 1000) / 10 : null,
    };
  });
  return {
    days: out,
    optIn,
    sms: await smsSentAndFailed(db, venueId, since),
    activeSessions: await activeSessionCount(db, venueId, now),
  };
}
