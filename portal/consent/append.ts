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
import { headSealed, readHead, writeHead } from './head.ts';

export type AppendedEvent = Omit<ConsentEventRow, 'seq'>;

const COLUMNS = [...HASHED_COLUMNS, 'hash', 'hash_version'] as const;
const INSERT = `INSERT INTO consent_events (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) RETURNING seq`;

export interface AppendOptions {
  /**
   * Where the time comes from instead of the database's clock: only fixtures that need
   * events in the past. Clamped like the clock, so it cannot run time backwards either.
   */
  clock?: () => number;
}

export async function appendEvents(tx: Tx, inputs: ConsentEventInput[], keys: Keys, opts: AppendOptions = {}): Promise<AppendedEvent[]> {
  const parsed = inputs.map((i) => eventInput.parse(i));
  if (parsed.length === 0) return [];
  await tx.lock('ledger');
  const head = await readHead(tx, tx.dialect === 'postgres' && !opts.clock ? `, ${dbNowMs('postgres')} AS now` : '');
  if (!head) throw new Error('ledger_head_missing: run `npx foyer migrate`');
  // Appending to a head that fails its seal would seal whatever was done to it (events
  // removed from the end, say): refuse, loudly, until someone runs `ledger verify`.
  if (!headSealed(keys, head)) {
    throw new StoreError('unavailable', 'ledger_head_unsealed: the ledger head fails its HMAC (moved without the key, or SECRET_KEY is not the one that wrote it); run `npx foyer ledger verify`');
  }
  const now = Math.max(Number(head.now ?? (opts.clock ?? Date.now)()), Number(head.at));
  let prev = head.hash;
  let seq = Number(head.seq);
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
    const hash = keyedEventHash(keys, row);
    const inserted = await tx.get<{ seq: number }>(INSERT, [...HASHED_COLUMNS.map((c) => row[c]), hash, 2]);
    seq = Number(inserted!.seq);
    out.push({ ...row, hash, hash_version: 2 });
    await tx.run(
      `INSERT INTO consent_state (venue_id, number_hash, purpose, decision, event_id, seq, at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (venue_id, number_hash, purpose) DO UPDATE SET
         decision = excluded.decision, event_id = excluded.event_id, seq = excluded.seq, at = excluded.at`,
      [row.venue_id, row.number_hash, row.purpose, row.decision, row.id, seq, now],
    );
    prev = hash;
    if (e.subjectId) await tx.run('UPDATE subjects SET last_event_at = ? WHERE id = ?', [now, e.subjectId]);
  }
  await writeHead(tx, keys, { seq, hash: prev, count: Number(head.count) + parsed.length, at: now, v2_from: Number(head.v2_from) });
  return out;
}
