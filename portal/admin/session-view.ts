// A live session as the console shows it (issue 19.9): the start in the session's venue's
// own time zone, named; how long and how much in words; the person by their masked number
// where the session has a Foyer grant; the NAS by its name; the NAS's last answer to a
// disconnect in words. MACs and IPs stay masked for roles that see no personal data
// (personal-data.ts), and those roles are not shown the number at all.
import type { AppContext } from '../context.ts';
import type { LiveSession } from '../access/sessions.ts';
import { maskedNumbers } from '../consent/masked-numbers.ts';
import { findVenueById, type Venue } from '../venues/venues.ts';
import { formatTime, venueTimeZone } from '../venues/time-zone.ts';
import type { Locale } from '../venues/settings.ts';
import type { Role } from '../accounts/accounts.ts';
import { presentSession, seesPersonalData } from '../accounts/personal-data.ts';

export interface SessionView {
  id: string;
  venueId: string | null;
  venueName: string | null;
  /** Null when the session's NAS is no longer configured (the page says so). */
  nasName: string | null;
  /** +35988****456; undefined for a session without a person, or a role that sees no personal data. */
  person?: string;
  mac: string | null;
  ip: string | null;
  started: string;
  duration: string;
  data: string;
  /** What the NAS last answered a disconnect with, in words; '' when none was sent. */
  lastDisconnect: string;
}

type T = (key: string, params?: Record<string, string | number>) => string;

/** The rows, and whether the page has a column for the person (not for roles that see no personal data). */
export async function sessionViews(
  app: AppContext,
  rows: LiveSession[],
  o: { role: Role; locale: Locale; now: number },
): Promise<{ list: SessionView[]; showPeople: boolean }> {
  const t: T = (key, params) => app.views.t(o.locale, key, params);
  const venueIds = new Set(rows.flatMap((r) => (r.venue_id ? [r.venue_id] : [])));
  const venues = new Map<string, Venue | undefined>(
    await Promise.all([...venueIds].map(async (id) => [id, await findVenueById(app.db, id)] as const)),
  );
  const whole = seesPersonalData(o.role);
  const numbers = whole
    ? await maskedNumbers(
        app.db,
        app.cipher,
        rows.flatMap((r) => (r.subject_id ? [r.subject_id] : [])),
      )
    : new Map<string, string>();
  const list = rows.map((row) => {
    const venue = row.venue_id ? venues.get(row.venue_id) : undefined;
    const shown = presentSession(row, o.role);
    return {
      id: row.id,
      venueId: row.venue_id,
      venueName: row.venue_name,
      nasName: row.nas_name,
      person: row.subject_id ? numbers.get(row.subject_id) : undefined,
      mac: shown.mac,
      ip: shown.framed_ip,
      started: formatTime(Number(row.started_at), o.locale, venueTimeZone(venue)),
      duration: durationWords(t, o.now - Number(row.started_at)),
      data: dataWords(o.locale, Number(row.input_octets) + Number(row.output_octets)),
      lastDisconnect: row.disconnect_result ? t(`admin.sessions.lastAnswer.${row.disconnect_result}`) : '',
    };
  });
  return { list, showPeople: whole };
}

/** "under a minute", "10 minutes", "2 h 5 min", "3 days 4 h" (plurals by the locale's rules). */
export function durationWords(t: T, ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return t('admin.sessions.underMinute');
  if (minutes < 60) return t('admin.sessions.minutes', { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('admin.sessions.hoursMinutes', { h: hours, m: minutes % 60 });
  return t('admin.sessions.daysHours', { count: Math.floor(hours / 24), h: hours % 24 });
}

/** Bytes as a phone shows them (decimal units): "850 kB", "25 MB", "2,5 MB", "1.2 GB". */
export function dataWords(locale: Locale, bytes: number): string {
  const [unit, size] =
    bytes >= 1e9 ? ['gigabyte', bytes / 1e9] : bytes >= 1e6 ? ['megabyte', bytes / 1e6] : ['kilobyte', bytes / 1e3];
  return new Intl.NumberFormat(locale === 'bg' ? 'bg-BG' : 'en-GB', {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: size < 10 ? 1 : 0,
  }).format(size);
}
