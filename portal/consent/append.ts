// Appending to the ledger: inside the caller's transaction, serialised so the chain
// never forks (across processes too), each event hashed over the previous one.
// An event's time is read AFTER the ledger lock is taken, from one clock (the database
// server's on PostgreSQL, whichever host writes; the host's on SQLite, which has one),
// and is never earlier than the event before it: time never runs backwards along the
// chain, even when a clock steps back (issue 15 point 4).
import { randomUUID } from 'node:crypto';
import type { Tx } from '../store/db.ts';
import { dbNowMs } from '../store/migrations/011_grant_changes.ts';
import { eventHash, eventInput, HASHED_COLUMNS, type ConsentEventInput, type ConsentEventRow } from './event.ts';

export type AppendedEvent = Omit<ConsentEventRow, 'seq'>;

const COLUMNS = [...HASHED_COLUMNS, 'hash'] as const;
const INSERT = `INSERT INTO consent_events (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) RETURNING seq`;

export interface AppendOptions {
  /**
   * Where the time comes from instead of the database's clock: only fixtures that need
   * events in the past. Clamped like the clock, so it cannot run time backwards either.
   */
  clock?: () => number;
}

export async function appendEvents(tx: Tx, inputs: ConsentEventInput[], opts: AppendOptions = {}): Promise<AppendedEvent[]> {
  const parsed = inputs.map((i) => eventInput.parse(i));
  if (parsed.length === 0) return [];
  await tx.lock('ledger');
  const clockSql = tx.dialect === 'postgres' && !opts.clock ? `, ${dbNowMs('postgres')} AS now` : '';
  const head = await tx.get<{ hash: string; count: number; at: number; now?: number }>(`SELECT hash, count, at${clockSql} FROM ledger_head WHERE id = 1`);
  if (!head) throw new Error('ledger_head_missing: run `npx foyer migrate`');
  const now = Math.max(Number(head.now ?? (opts.clock ?? Date.now)()), Number(head.at));
  let prev = head.hash;
  let seq = 0;
  const out: AppendedEvent[] = [];
  for (const e of parsed) {
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
    const hash = eventHash(row);
    const inserted = await tx.get<{ seq: number }>(INSERT, [...HASHED_COLUMNS.map((c) => row[c]), hash]);
    seq = inserted!.seq;
    out.push({ ...row, hash });
    await tx.run(
      `INSERT INTO consent_state (venue_id, number_hash, purpose, decision, event_id, seq, at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (venue_id, number_hash, purpose) DO UPDATE SET
         decision = excluded.decision, event_id = excluded.event_id, seq = excluded.seq, at = excluded.at`,
      [row.venue_id, row.number_hash, row.purpose, row.decision, row.id, seq, now],
    );
    prev = hash;
    if (e.subjectId) await tx.run('UPDATE subjects SET last_event_at = ? WHERE id = ?', [now, e.subjectId]);
  }
  await tx.run('UPDATE ledger_head SET seq = ?, hash = ?, count = count + ?, at = ? WHERE id = 1', [seq, prev, parsed.length, now]);
  return out;
}
