// Finding consent records: by number (normalised from however a person types it, then
// looked up by its keyed hash), by purpose, decision, channel and date.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Param, Queryable } from '../store/db.ts';
import type { Keys } from '../crypto/keys.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { maskNumber } from '../log.ts';
import { numberHash } from './subjects.ts';
import { CHANNELS, DECISIONS, PURPOSES, type ConsentEventRow } from './event.ts';

/** "0888 123 456", "+359 88 812-3456", "00359888123456" -> +359888123456; undefined when not a number. */
export function normaliseNumber(input: string, country: string): string | undefined {
  const cleaned = input.trim().replace(/^00/, '+');
  if (!/\d{4,}/.test(cleaned.replace(/\D/g, ''))) return undefined;
  const p = parsePhoneNumberFromString(cleaned, country as CountryCode);
  return p?.isPossible() ? p.number : undefined;
}

export interface EventFilter {
  number?: string;
  purpose?: string;
  decision?: string;
  channel?: string;
  /** yyyy-mm-dd, inclusive, UTC. */
  from?: string;
  to?: string;
}

export interface SearchResult {
  events: (ConsentEventRow & { subject_erased: boolean; masked?: string; name?: string })[];
  /** The number as understood, when one was given. */
  e164?: string;
  invalidNumber?: boolean;
}

const day = (s: string | undefined) =>
  s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))
    ? Date.parse(`${s}T00:00:00Z`)
    : undefined;

export async function searchEvents(
  db: Queryable,
  keys: Keys,
  cipher: FieldCipher,
  venue: { id: string; country: string },
  f: EventFilter,
  limit = 200,
): Promise<SearchResult> {
  const where = ['e.venue_id = ?'];
  const params: Param[] = [venue.id];
  let e164: string | undefined;
  if (f.number?.trim()) {
    e164 = normaliseNumber(f.number, venue.country);
    if (!e164) return { events: [], invalidNumber: true };
    where.push('e.number_hash = ?');
    params.push(numberHash(keys, e164));
  }
  if (f.purpose && (PURPOSES as readonly string[]).includes(f.purpose))
    (where.push('e.purpose = ?'), params.push(f.purpose));
  if (f.decision && (DECISIONS as readonly string[]).includes(f.decision))
    (where.push('e.decision = ?'), params.push(f.decision));
  if (f.channel && (CHANNELS as readonly string[]).includes(f.channel))
    (where.push('e.channel = ?'), params.push(f.channel));
  const from = day(f.from);
  const to = day(f.to);
  if (from !== undefined) (where.push('e.at >= ?'), params.push(from));
  if (to !== undefined) (where.push('e.at < ?'), params.push(to + 86_400_000));
  const rows = await db.all<
    ConsentEventRow & { erased_at: number | null; number_enc: string | null; name_enc: string | null }
  >(
    `SELECT e.*, s.erased_at, s.number_enc, s.name_enc FROM consent_events e LEFT JOIN subjects s ON s.id = e.subject_id
     WHERE ${where.join(' AND ')} ORDER BY e.seq DESC LIMIT ${limit}`,
    params,
  );
  // People by their masked number and name (the operator's words), not by the keyed hash;
  // the encrypted fields themselves do not leave this function.
  const events = rows.map(({ number_enc, name_enc, ...r }) => ({
    ...r,
    masked: number_enc && !r.erased_at ? maskNumber(cipher.decrypt(number_enc)) : undefined,
    name: name_enc && !r.erased_at ? cipher.decrypt(name_enc) : undefined,
    subject_erased: r.erased_at !== null && r.erased_at !== undefined,
  }));
  return { events, e164 };
}

/**
 * One event, only if it belongs to this venue: an operator asking for another venue's
 * event id through their own venue's URL gets nothing (the route answers 404).
 */
export async function venueEvent(
  db: Queryable,
  venueId: string,
  eventId: string,
): Promise<ConsentEventRow | undefined> {
  return db.get<ConsentEventRow>('SELECT * FROM consent_events WHERE id = ? AND venue_id = ?', [eventId, venueId]);
}

export async function subjectEvents(
  db: Queryable,
  venueId: string,
  numberHashValue: string,
): Promise<ConsentEventRow[]> {
  return db.all<ConsentEventRow>('SELECT * FROM consent_events WHERE venue_id = ? AND number_hash = ? ORDER BY seq', [
    venueId,
    numberHashValue,
  ]);
}

/** Latest decision per purpose, from a subject's events in order. */
export function latestDecisions(events: ConsentEventRow[]): Record<string, ConsentEventRow> {
  const out: Record<string, ConsentEventRow> = {};
  for (const e of events) out[e.purpose] = e;
  return out;
}

/**
 * Everyone whose latest SMS decision at the venue is declined or withdrawn: numbers no
 * message may go to. Erased people stay on it by keyed hash.
 */
export async function* suppressionCsv(
  db: Queryable,
  decrypt: (s: string) => string,
  venueId: string,
): AsyncGenerator<string> {
  yield 'number,number_hash,decision,decided_at\n';
  const page = 2000;
  let after = '';
  for (;;) {
    const rows = await db.all<{ number_hash: string; decision: string; at: number; number_enc: string | null }>(
      `SELECT e.number_hash, e.decision, e.at, s.number_enc FROM consent_events e
       JOIN (SELECT number_hash, MAX(seq) AS seq FROM consent_events WHERE venue_id = ? AND purpose = 'sms' AND number_hash > ? GROUP BY number_hash ORDER BY number_hash LIMIT ${page}) l ON l.seq = e.seq
       LEFT JOIN subjects s ON s.venue_id = e.venue_id AND s.number_hash = e.number_hash
       ORDER BY e.number_hash`,
      [venueId, after],
    );
    let chunk = '';
    for (const r of rows)
      if (r.decision !== 'granted')
        chunk += `${r.number_enc ? decrypt(r.number_enc) : ''},${r.number_hash},${r.decision},${new Date(r.at).toISOString()}\n`;
    if (chunk) yield chunk;
    if (rows.length < page) break;
    after = rows[rows.length - 1].number_hash;
  }
}
