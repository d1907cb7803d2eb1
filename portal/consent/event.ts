// One ledger event and its canonical form. The hash covers every field but the
// database's own sequence number, chained through prev_hash.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Keys } from '../crypto/keys.ts';

export const PURPOSES = ['terms', 'sms', 'email'] as const;
export type Purpose = (typeof PURPOSES)[number];
export const DECISIONS = ['granted', 'declined', 'withdrawn'] as const;
export type Decision = (typeof DECISIONS)[number];
export const CHANNELS = ['portal', 'sms-keyword', 'operator', 'import'] as const;
export type Channel = (typeof CHANNELS)[number];

export const GENESIS_HASH = '0'.repeat(64);

const opt = z
  .string()
  .max(1024)
  .nullish()
  .transform((v) => v ?? null);

export const eventInput = z.object({
  venueId: z.string().min(1),
  purpose: z.enum(PURPOSES),
  decision: z.enum(DECISIONS),
  channel: z.enum(CHANNELS),
  numberHash: z.string().regex(/^[0-9a-f]{64}$/),
  subjectId: opt,
  templateVersionId: opt,
  locale: opt,
  textHash: opt,
  clientIp: opt,
  clientMac: opt,
  userAgent: opt,
  nasId: opt,
  apMac: opt,
  ssid: opt,
  verificationId: opt,
  actor: opt,
  evidence: z
    .string()
    .max(4096)
    .nullish()
    .transform((v) => v ?? null),
});
export type ConsentEventInput = z.input<typeof eventInput>;

/** Row shape, as stored (snake_case columns). */
export interface ConsentEventRow {
  seq: number;
  id: string;
  at: number;
  venue_id: string;
  purpose: Purpose;
  decision: Decision;
  channel: Channel;
  number_hash: string;
  subject_id: string | null;
  template_version_id: string | null;
  locale: string | null;
  text_hash: string | null;
  client_ip: string | null;
  client_mac: string | null;
  user_agent: string | null;
  nas_id: string | null;
  ap_mac: string | null;
  ssid: string | null;
  verification_id: string | null;
  actor: string | null;
  evidence: string | null;
  prev_hash: string;
  hash: string;
  /** 1: plain SHA-256 (events before migration 016); 2: HMAC under the ledger subkey. */
  hash_version: HashVersion;
}

export type HashVersion = 1 | 2;

/** Columns in hash order; changing this list breaks every existing chain. */
export const HASHED_COLUMNS = [
  'id',
  'at',
  'venue_id',
  'purpose',
  'decision',
  'channel',
  'number_hash',
  'subject_id',
  'template_version_id',
  'locale',
  'text_hash',
  'client_ip',
  'client_mac',
  'user_agent',
  'nas_id',
  'ap_mac',
  'ssid',
  'verification_id',
  'actor',
  'evidence',
  'prev_hash',
] as const satisfies readonly (keyof ConsentEventRow)[];

type Hashed = Pick<ConsentEventRow, (typeof HASHED_COLUMNS)[number]>;
const canonical = (row: Hashed) => JSON.stringify(HASHED_COLUMNS.map((c) => row[c] ?? null));

/** Version 1: plain SHA-256, which anyone with the database can recompute after an edit. */
export function eventHash(row: Hashed): string {
  return createHash('sha256').update(canonical(row)).digest('hex');
}

/** Version 2: HMAC-SHA256 under the ledger subkey: only the holder of SECRET_KEY can compute it. */
export function keyedEventHash(keys: Keys, row: Hashed): string {
  return keys.hmac('ledger-chain', canonical(row));
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
