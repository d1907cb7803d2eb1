// Appending to the ledger: inside the caller's transaction, serialised so the chain
// never forks (across processes too), each event keyed-hashed over the previous one.
// An event's time is read AFTER the ledger lock is taken, from one clock (the database
// server's on PostgreSQL, whichever host writes; the host's on SQLite, which has one),
// and is never earlier than the event before it: time never runs backwards along the
// chain, even when a clock steps back (issue 15 point 4).
import { randomUUID } from 'node:crypto';
import { StoreError, type Tx } from '../store/db.ts';
import { dbNowMs } from '../store/migrations/011_grant_changes.ts';
import type { Keys } from '../crypto/keys.ts';
import { keyedEventHash, eventInput, HASHED_COLUMNS, type ConsentEventInput, type ConsentEventRow } from './event.ts';
import { headSealed, readHead, writeHead, type LedgerHead } from './head.ts';

export type AppendedEvent = Omit<ConsentEventRow, 'seq'>;
/** An event as eventInput parses it (appendAfter takes them parsed: a sign-up parses before its transaction). */
export type ParsedEvent = ReturnType<typeof eventInput.parse>;

const COLUMNS = [...HASHED_COLUMNS, 'hash', 'hash_version'] as const;
const ROW = `(?, ${COLUMNS.map(() => '?').join(', ')})`;
// seq is an identity column on PostgreSQL (GENERATED ALWAYS): an explicit value needs saying so.
const OVERRIDE = { sqlite: '', postgres: 'OVERRIDING SYSTEM VALUE ' } as const;
// Rows per statement: an import appends thousands at once, and SQLite takes at most 32,766 parameters.
const CHUNK = 200;
const chunks = <T>(all: T[]): T[][] =>
  Array.from({ length: Math.ceil(all.length / CHUNK) }, (_, i) => all.slice(i * CHUNK, (i + 1) * CHUNK));

export interface AppendOptions {
  /**
   * Where the time comes from instead of the database's clock: only fixtures that need
   * events in the past. Clamped like the clock, so it cannot run time backwards either.
   */
  clock?: () => number;
}

export async function appendEvents(
  tx: Tx,
  inputs: ConsentEventInput[],
  keys: Keys,
  opts: AppendOptions = {},
): Promise<AppendedEvent[]> {
  // Refused before the lock, as before any statement.
  const parsed = inputs.map((i) => eventInput.parse(i));
  if (parsed.length === 0) return [];
  await tx.lock('ledger');
  return appendAfter(tx, await readHead(tx, headClock(tx, opts)), parsed, keys, opts)!.events;
}

/** What readHead adds for an append: the database server's clock on PostgreSQL (see above). */
export const headClock = (tx: Tx, opts: AppendOptions = {}): string =>
  tx.dialect === 'postgres' && !opts.clock ? `, ${dbNowMs('postgres')} AS now` : '';

/**
 * Appends after `head`, which the caller read in this transaction under the ledger's lock
 * (`tx.lock('ledger')` before the read; on SQLite the writer's BEGIN IMMEDIATE is that lock,
 * and a read beside the writer after it, Tx.readBeside, is as good as the writer's own),
 * or one the transaction requires the row to be with its COMMIT (head.ts requireHead:
 * record-signup.ts recordSignupOnKnownHead), with readHead's columns and headClock's;
 * `parsed`: eventInput's output. Everything goes with the COMMIT (Tx.defer).
 * `subjectsWritten`: the caller writes the events' subjects itself, with their last event's
 * time (record-signup.ts), so they are not touched again here.
 * Returns the events and the head written (undefined when there was nothing to append).
 */
export function appendAfter(
  tx: Tx,
  head: (LedgerHead & { now?: number }) | undefined,
  parsed: ParsedEvent[],
  keys: Keys,
  opts: AppendOptions & { subjectsWritten?: boolean } = {},
): { events: AppendedEvent[]; head: LedgerHead } | undefined {
  if (parsed.length === 0) return undefined;
  if (!head) throw new Error('ledger_head_missing: run `npx foyer migrate`');
  // Appending to a head that fails its seal would seal whatever was done to it (events
  // removed from the end, say): refuse, loudly, until someone runs `ledger verify`.
  if (!headSealed(keys, head)) {
    throw new StoreError(
      'unavailable',
      'ledger_head_unsealed: the ledger head fails its HMAC (moved without the key, or SECRET_KEY is not the one that wrote it); run `npx foyer ledger verify`',
    );
  }
  const now = Math.max(Number(head.now ?? (opts.clock ?? Date.now)()), Number(head.at));
  let prev = head.hash;
  const rows = parsed.map((e) => {
    const row = {
      id: randomUUID(),
      at: now,
      venue_id: e.venueId,
      purpose: e.purpose,
      decision: e.decision,
      channel: e.channel,
      number_hash: e.numberHash,
      subject_id: e.subjectId,
      template_version_id: e.templateVersionId,
      locale: e.locale,
      text_hash: e.textHash,
      client_ip: e.clientIp,
      client_mac: e.clientMac,
      user_agent: e.userAgent,
      nas_id: e.nasId,
      ap_mac: e.apMac,
      ssid: e.ssid,
      verification_id: e.verificationId,
      actor: e.actor,
      evidence: e.evidence,
      prev_hash: prev,
    };
    const hash = keyedEventHash(keys, row);
    prev = hash;
    return { ...row, hash, hash_version: 2 as const };
  });
  // Each event's seq is the head's plus its place in the chain, given explicitly (every
  // append comes here, under the lock, and the head names the last seq): nothing has to be
  // read back, so the events, the consent state, the subjects' last event and the sealed
  // head all go with the COMMIT, in one round trip (Tx.defer). Under the ledger's lock an
  // append waits for the trip that takes it and reads the head, and the COMMIT; a sign-up
  // reads the head beside its code check, so only the check's trip and the COMMIT's, or on
  // SQLite requires it with the COMMIT, so only the COMMIT's (issue 18, record-signup.ts).
  // A seq already taken (events beyond the head: a head put back, or a head read that went
  // stale) fails the append as a conflict instead of forking the chain.
  const seqOf = new Map(rows.map((r, i) => [r.id, Number(head.seq) + i + 1]));
  for (const part of chunks(rows)) {
    tx.defer(
      `INSERT INTO consent_events (seq, ${COLUMNS.join(', ')}) ${OVERRIDE[tx.dialect]}VALUES ${part.map(() => ROW).join(', ')}`,
      part.flatMap((row) => [seqOf.get(row.id)!, ...HASHED_COLUMNS.map((c) => row[c]), row.hash, 2]),
    );
  }
  const seq = Number(head.seq) + rows.length;
  // PostgreSQL's identity sequence is not moved by explicit values: kept at the head, so an
  // insert that takes the default (a test fixture) cannot collide with the chain.
  if (tx.dialect === 'postgres') tx.defer(`SELECT setval(pg_get_serial_sequence('consent_events', 'seq'), ?)`, [seq]);
  // A key twice in one upsert is refused by PostgreSQL: later events of the same key win, so only they are written.
  const latest = new Map(rows.map((r) => [`${r.venue_id}|${r.number_hash}|${r.purpose}`, r]));
  const states = [...latest.values()];
  for (const part of chunks(states)) {
    tx.defer(
      `INSERT INTO consent_state (venue_id, number_hash, purpose, decision, event_id, seq, at) VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (venue_id, number_hash, purpose) DO UPDATE SET
         decision = excluded.decision, event_id = excluded.event_id, seq = excluded.seq, at = excluded.at`,
      part.flatMap((r) => [r.venue_id, r.number_hash, r.purpose, r.decision, r.id, seqOf.get(r.id)!, now]),
    );
  }
  const subjects = opts.subjectsWritten ? [] : rows.map((r) => r.subject_id);
  for (const subjectId of new Set(subjects.filter((id): id is string => Boolean(id)))) {
    tx.defer('UPDATE subjects SET last_event_at = ? WHERE id = ?', [now, subjectId]);
  }
  const events: AppendedEvent[] = rows;
  const written = writeHead(tx, keys, {
    seq,
    hash: prev,
    count: Number(head.count) + parsed.length,
    at: now,
    v2_from: Number(head.v2_from),
  });
  return { events, head: written };
}
