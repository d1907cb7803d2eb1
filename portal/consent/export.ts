// Consent export, one row per ledger event, streamed page by page (keyset pagination)
// so memory stays flat however long the ledger is. Field names follow ISO/IEC TS 27560
// (consent record information structure) where they apply.
import type { Queryable, Param } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import type { Purpose } from './event.ts';
import { formatRecords, pagesBySeq, type Format } from './format.ts';

export interface ExportOptions {
  venueId: string;
  format: Format;
  purpose?: Purpose;
  since?: number;
  pageSize?: number;
}

const FIELDS = [
  'record_id',
  'event_time',
  'controller',
  'subject_id',
  'subject_number',
  'purpose',
  'lawful_basis',
  'notice_version',
  'language',
  'notice_text_hash',
  'collection_method',
  'event_state',
  'client_ip',
  'client_mac',
  'nas_id',
  'ssid',
  'actor',
] as const;
type Record27560 = Record<(typeof FIELDS)[number], string>;

const STATE = { granted: 'given', declined: 'refused', withdrawn: 'withdrawn' } as const;
// Accepting the terms of use is part of the contract for access; offers rest on consent.
const BASIS: Record<string, string> = { terms: 'contract', sms: 'consent', email: 'consent' };

interface Row {
  seq: number;
  id: string;
  at: number;
  purpose: string;
  decision: keyof typeof STATE;
  channel: string;
  subject_id: string | null;
  number_enc: string | null;
  template_version_id: string | null;
  locale: string | null;
  text_hash: string | null;
  client_ip: string | null;
  client_mac: string | null;
  nas_id: string | null;
  ssid: string | null;
  actor: string | null;
}

export async function* exportConsents(
  db: Queryable,
  cipher: FieldCipher,
  controller: string,
  o: ExportOptions,
): AsyncGenerator<string> {
  const page = o.pageSize ?? 2000;
  const where = ['e.venue_id = ?', 'e.seq > ?'];
  const filters: Param[] = [];
  if (o.purpose) (where.push('e.purpose = ?'), filters.push(o.purpose));
  if (o.since !== undefined) (where.push('e.at >= ?'), filters.push(o.since));
  const sql = `SELECT e.seq, e.id, e.at, e.purpose, e.decision, e.channel, e.subject_id, s.number_enc,
      e.template_version_id, e.locale, e.text_hash, e.client_ip, e.client_mac, e.nas_id, e.ssid, e.actor
    FROM consent_events e LEFT JOIN subjects s ON s.id = e.subject_id
    WHERE ${where.join(' AND ')} ORDER BY e.seq LIMIT ${page}`;
  const rows = pagesBySeq((after) => db.all<Row>(sql, [o.venueId, after, ...filters]), page);
  yield* formatRecords(
    FIELDS,
    o.format,
    mapPages(rows, (r) => toRecord(r, cipher, controller)),
  );
}

async function* mapPages<T, U>(pages: AsyncIterable<T[]>, fn: (t: T) => U): AsyncGenerator<U[]> {
  for await (const p of pages) yield p.map(fn);
}

function toRecord(r: Row, cipher: FieldCipher, controller: string): Record27560 {
  return {
    record_id: r.id,
    event_time: new Date(r.at).toISOString(),
    controller,
    subject_id: r.subject_id ?? '',
    subject_number: r.number_enc ? cipher.decrypt(r.number_enc) : '',
    purpose: r.purpose,
    lawful_basis: BASIS[r.purpose] ?? 'consent',
    notice_version: r.template_version_id ?? '',
    language: r.locale ?? '',
    notice_text_hash: r.text_hash ?? '',
    collection_method: r.channel,
    event_state: STATE[r.decision],
    client_ip: r.client_ip ?? '',
    client_mac: r.client_mac ?? '',
    nas_id: r.nas_id ?? '',
    ssid: r.ssid ?? '',
    actor: r.actor ?? '',
  };
}
