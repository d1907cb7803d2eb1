// Appending to the ledger: inside the caller's transaction, serialised so the chain
// never forks (across processes too), each event hashed over the previous one.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../store/db.ts';
import { eventHash, eventInput, HASHED_COLUMNS, type ConsentEventInput, type ConsentEventRow } from './event.ts';

export type AppendedEvent = Omit<ConsentEventRow, 'seq'>;

const COLUMNS = [...HASHED_COLUMNS, 'hash'] as const;
const INSERT = `INSERT INTO consent_events (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) RETURNING seq`;

export async function appendEvents(tx: Tx, inputs: ConsentEventInput[], now = Date.now()): Promise<AppendedEvent[]> {
  const parsed = inputs.map((i) => eventInput.parse(i));
  if (parsed.length === 0) return [];
  await tx.lock('ledger');
  const head = await tx.get<{ hash: string; count: number }>('SELECT hash, count FROM ledger_head WHERE id = 1');
  if (!head) throw new Error('ledger_head_missing: run `npx foyer migrate`');
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
  await tx.run('UPDATE ledger_head SET seq = ?, hash = ?, count = count + ? WHERE id = 1', [seq, prev, parsed.length]);
  return out;
}
