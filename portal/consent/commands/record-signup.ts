// Ledger command: a sign-up's decisions. Inside the sign-up's one transaction (signup/
// complete.ts): the subject (the person behind the number at the venue) and one event per
// purpose the page the guest saw offered, granted or declined, naming that page version,
// its locale and the hash of each consent text. The ledger event is this command's audit
// record: it is the guest's own act, on the append-only chain, with the page view it came
// from; the admin audit log is for operators' acts (withdraw-by-operator.ts, erase-by-operator.ts).
//
// What it reads (the ledger head, the subject's id) it reads BESIDE the writer (Tx.readBeside),
// started before the code check and answered while the check runs, and everything it writes
// goes with the COMMIT: on SQLite the transaction holds its one writer for the check's trip
// and the COMMIT's, not four (issue 18). Sound because both reads come after the ledger's
// lock: on SQLite the writer's BEGIN IMMEDIATE (no other connection or process commits
// until this COMMIT, so a reader sees what the writer would), on PostgreSQL the advisory
// lock the read rides after, on the transaction's own connection. Every writer of the
// ledger takes that lock, and every writer of a subject does so first (keyword-opt.ts), so
// neither can change under the sign-up. Were it wrong all the same, nothing wrong would be
// stored: events given a seq already taken fail (append.ts), and so does a subject written
// under an id that is not the stored one for its number (deferSubject), rolling the whole
// transaction back, the code check included.
// On SQLite, once this process has recorded a sign-up, the next one need not even read
// beside: it is recorded on the head this process's last sign-up wrote, required with the
// COMMIT to be still the row (recordSignupOnKnownHead; the code's use is required the same
// way, verification's useCodeIn), and on the subject a reader saw before the transaction
// (subjects are never deleted; a new one made meanwhile fails the insert on (venue,
// number)), so the writer is held for the COMMIT's trip alone. Any other append (another
// process's, the CLI's, a withdrawal), a head put back or unsealed, a subject made
// meanwhile: the transaction fails whole and the sign-up takes the road above, which reads
// the row. Kept from an earlier design's worry: a cache trusted until the seq's uniqueness
// refused it would not have seen a head put back; this one is compared, column by column,
// with the row.
import { randomUUID } from 'node:crypto';
import { StoreError, type Queryable, type Tx } from '../../store/db.ts';
import type { Keys } from '../../crypto/keys.ts';
import type { FieldCipher } from '../../crypto/fields.ts';
import { appendAfter, headClock, type AppendedEvent, type ParsedEvent } from '../append.ts';
import { eventInput, type ConsentEventInput, type Purpose } from '../event.ts';
import { headSql, requireHead, type LedgerHead } from '../head.ts';
import { deferSubject, prepareSubject, SUBJECT_ID_SQL, type PreparedSubject, type SubjectData } from '../subjects.ts';
import type { ConsentContent, ConsentPages } from '../consent-page.ts';

export interface SignupDecisions {
  venueId: string;
  /** The keyed hash of the number the returned code was sent to. */
  numberHash: string;
  person: SubjectData;
  /** The stored page version the guest submitted. */
  version: { id: string; content: ConsentContent };
  /** The boxes the guest ticked. */
  choices: Partial<Record<Purpose, boolean>>;
  verificationId: string;
  clientIp: string;
  clientMac: string | null;
  userAgent: string | null;
  nasId: string | null;
  apMac: string | null;
  ssid: string | null;
  /** What the evidence command needs to render screen 1 as the guest was served it (JSON). */
  evidence: string;
}

/** What a sign-up reads under the ledger's lock: the head, and the subject of (venue, number) if there is one. */
export interface SignupLedger {
  venueId: string;
  numberHash: string;
  head: (LedgerHead & { now?: number }) | undefined;
  subjectId: string | null;
}

/**
 * Takes the ledger's lock and reads the head and the subject of (venue, number) beside the
 * writer. Call it before the transaction's next statement and in the same tick (on
 * PostgreSQL the lock and the read then ride with that statement, in its round trip), and
 * await it before the transaction ends.
 */
export function readSignupLedger(tx: Tx, venueId: string, numberHash: string): Promise<SignupLedger> {
  const locked = tx.lock('ledger');
  const read = tx.readBeside<LedgerHead & { now?: number; subject_id: string | null }>(
    headSql(`${headClock(tx)}, ${SUBJECT_ID_SQL} AS subject_id`),
    [venueId, numberHash],
  );
  return locked.then(async () => {
    const row = await read;
    return { venueId, numberHash, head: row, subjectId: row?.subject_id ?? null };
  });
}

/**
 * The decisions as far as they can be made before the transaction: the events parsed (but
 * for the subject's id) with the page's text hashes, the subject's data encrypted. CPU the
 * writer does not wait for; recordSignupDecisions does the rest, what needs the ledger's head.
 */
export interface PreparedSignup {
  venueId: string;
  numberHash: string;
  events: ParsedEvent[];
  subject: PreparedSubject;
}

export function prepareSignupDecisions(
  deps: { keys: Keys; cipher: FieldCipher; consentPages: ConsentPages },
  d: SignupDecisions,
): PreparedSignup {
  // The purposes the page the guest saw offered, with that page's text.
  const offers = d.version.content.venue.offers;
  const purposes: Purpose[] = [
    'terms',
    ...(offers.sms ? (['sms'] as const) : []),
    ...(offers.email ? (['email'] as const) : []),
  ];
  const events: ConsentEventInput[] = purposes.map((purpose) => ({
    venueId: d.venueId,
    purpose,
    decision: d.choices[purpose] ? 'granted' : 'declined',
    channel: 'portal',
    numberHash: d.numberHash,
    subjectId: null,
    templateVersionId: d.version.id,
    locale: d.version.content.locale,
    textHash: deps.consentPages.consentTextHash(d.version.content, purpose),
    clientIp: d.clientIp,
    clientMac: d.clientMac,
    userAgent: d.userAgent,
    nasId: d.nasId,
    apMac: d.apMac,
    ssid: d.ssid,
    verificationId: d.verificationId,
    evidence: d.evidence,
  }));
  return {
    venueId: d.venueId,
    numberHash: d.numberHash,
    events: events.map((e) => eventInput.parse(e)),
    subject: prepareSubject(deps, d.venueId, d.person),
  };
}

export interface RecordedSignup {
  subjectId: string;
  events: AppendedEvent[];
  /** The head the transaction writes (for rememberSignupHead). */
  head: LedgerHead;
}

/**
 * Appends the prepared events on the subject of (venue, number), which is written with
 * them. `read`: readSignupLedger's answer in this transaction; read here (one more trip)
 * when it is missing or for another venue or number.
 */
export async function recordSignupDecisions(
  tx: Tx,
  keys: Keys,
  p: PreparedSignup,
  now: number,
  read?: SignupLedger,
): Promise<RecordedSignup> {
  const ledger =
    read && read.venueId === p.venueId && read.numberHash === p.numberHash
      ? read
      : await readSignupLedger(tx, p.venueId, p.numberHash);
  return record(tx, keys, p, now, ledger);
}

function record(tx: Tx, keys: Keys, p: PreparedSignup, now: number, ledger: SignupLedger): RecordedSignup {
  // The id read for (venue, number) under the lock, or a new one (a UUID either way, as eventInput wants).
  const subjectId = ledger.subjectId ?? randomUUID();
  const events = p.events.map((e) => ({ ...e, subjectId }));
  const appended = appendAfter(tx, ledger.head, events, keys, { subjectsWritten: true })!;
  // The subject with the COMMIT too, its last event the one just appended (the grant that follows names it).
  deferSubject(tx, subjectId, p.subject, { createdAt: now, lastEventAt: appended.events[0].at });
  return { subjectId, events: appended.events, head: appended.head };
}

// The head this process's sign-ups last wrote, per database: trusted by nothing, only
// proposed, and compared with the row by the COMMIT (recordSignupOnKnownHead).
const lastWritten = new WeakMap<object, LedgerHead>();

/** Called in the transaction that writes `head`, before its COMMIT (should that fail, the next sign-up's COMMIT says so). */
export const rememberSignupHead = (db: object, head: LedgerHead): void => void lastWritten.set(db, head);

export const knowsSignupHead = (db: object): boolean => lastWritten.has(db);

/** The subject of (venue, number) as a reader sees it now (for recordSignupOnKnownHead), or null. */
export async function signupSubjectId(db: Queryable, venueId: string, numberHash: string): Promise<string | null> {
  const row = await db.get<{ id: string }>(`SELECT ${SUBJECT_ID_SQL} AS id`, [venueId, numberHash]);
  return row?.id ?? null;
}

/**
 * recordSignupDecisions without a read in the transaction: on the head this process's last
 * sign-up on `db` wrote, required with the COMMIT to be still the row, column by column
 * (requireHead), and on `subjectId`, signupSubjectId's read before the transaction (subject
 * rows are never deleted, and one that was not there is inserted under a new id, which
 * fails on (venue, number) if another was made since: deferSubject). Whatever changed, the
 * transaction fails whole (isUnmet, or a conflict) and the caller records the sign-up on
 * the road that reads.
 */
export async function recordSignupOnKnownHead(
  tx: Tx,
  db: object,
  keys: Keys,
  p: PreparedSignup,
  now: number,
  subjectId: string | null,
): Promise<RecordedSignup> {
  // Every writer of the ledger takes its lock (on SQLite the writer's BEGIN IMMEDIATE is it).
  await tx.lock('ledger');
  const head = lastWritten.get(db);
  if (!head) throw new StoreError('unmet', 'no ledger head is known in this process yet');
  requireHead(tx, head);
  return record(tx, keys, p, now, { venueId: p.venueId, numberHash: p.numberHash, head, subjectId });
}
