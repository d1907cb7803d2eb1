// The guest's steps one at a time, for attacks and crashes that must know exactly which
// answer a guest saw (support/guest-signup.ts runs a whole sign-up and hides the steps):
// a Foyer process of its own (support/foyer-process.ts), a venue from prepareVenue, the
// console gateway's outbox for the codes. Shared by test/security and test/reliability.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { Queryable } from '../../portal/store/db.ts';
import { verifyLedger } from '../../portal/consent/verify.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import type { Keys } from '../../portal/crypto/keys.ts';
import { Browser, formFields } from '../guest/helpers.ts';
import { handBackCredentials } from '../support/hand-back.ts';
import { LOGIN_URL } from '../support/guest-signup.ts';

export type Answer = { status: number; html: string; location: string | null; headers: Headers };

const hex = (x: number) => (x & 255).toString(16).padStart(2, '0');
/** The n-th device's MAC address, under a tag byte of the test's own. */
export const macFor = (tag: number, n: number) => `02:${hex(tag)}:00:${hex(n >> 16)}:${hex(n >> 8)}:${hex(n)}`;

/** The same browser (its cookies) talking to another Foyer process on the same database. */
export function sameBrowserAt(b: Browser, url: string): Browser {
  const other = new Browser(url, b.opts);
  other.cookies = b.cookies;
  return other;
}

/** Screen 1 from a NAS redirect: the fields of its form. */
export async function screen1(b: Browser, slug: string, mac: string, ip: string): Promise<Record<string, string>> {
  const r = await b.get(
    `/p/${slug}?mac=${mac}&ip=${ip}&nasid=ap-test&login_url=${encodeURIComponent(LOGIN_URL)}&url=${encodeURIComponent('http://example.com/')}`,
  );
  assert.equal(r.status, 200, r.html.slice(0, 300));
  return formFields(r.html, '/start');
}

/** Screen 1 submitted: the flow id when the guest was told a code is on its way (303 to the code page). */
export async function submitStart(
  b: Browser,
  slug: string,
  fields: Record<string, string>,
  e164: string,
  smsOffers = false,
): Promise<{ answer: Answer; flowId?: string }> {
  const answer = await b.post(`/p/${slug}/start`, {
    ...fields,
    phone: e164,
    consent_terms: 'yes',
    ...(smsOffers ? { consent_sms: 'yes' } : {}),
  });
  const m = answer.status === 303 ? /\/code\?f=([^&]+)/.exec(answer.location ?? '') : null;
  return { answer, flowId: m?.[1] };
}

/** Every code sent to the number so far, oldest first (a line cut by a kill is skipped). */
export function codesSentTo(outbox: string, e164: string): string[] {
  if (!existsSync(outbox)) return [];
  return readFileSync(outbox, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { to: string; text: string }];
      } catch {
        return [];
      }
    })
    .filter((m) => m.to === e164)
    .flatMap((m) => /\b(\d{6})\b/.exec(m.text)?.[1] ?? []);
}

/** The code page's form fields for a flow (its CSRF token and flow id). */
export async function codeForm(b: Browser, slug: string, flowId: string): Promise<Record<string, string>> {
  const r = await b.get(`/p/${slug}/code?f=${flowId}`);
  assert.equal(r.status, 200, `the code page of flow ${flowId}: ${r.status} ${r.html.slice(0, 200)}`);
  return formFields(r.html, '/code');
}

/** A code submitted; the credentials when the guest was handed back to the NAS (online). */
export async function submitCode(
  b: Browser,
  slug: string,
  fields: Record<string, string>,
  code: string,
): Promise<{ answer: Answer; creds?: { username: string; password: string } }> {
  const answer = await b.post(`/p/${slug}/code`, { ...fields, code });
  return { answer, creds: handBackCredentials(answer, LOGIN_URL) };
}

/**
 * What an acknowledged sign-up promised, read from the database: the grant the guest was
 * handed back with, on the one subject of its number, with the terms event of that
 * subject. Returns the subject id.
 */
export async function assertSignupStored(
  db: Queryable,
  keys: Keys,
  venueId: string,
  e164: string,
  username: string,
): Promise<string> {
  const hash = numberHash(keys, e164);
  const subjects = await db.all<{ id: string }>('SELECT id FROM subjects WHERE venue_id = ? AND number_hash = ?', [
    venueId,
    hash,
  ]);
  assert.equal(subjects.length, 1, `one subject for ${e164}`);
  const grant = await db.get<{ subject_id: string }>('SELECT subject_id FROM grants WHERE username = ?', [username]);
  assert.ok(grant, `the grant ${username} handed back to ${e164} is stored`);
  assert.equal(grant.subject_id, subjects[0].id, `the grant ${username} is on the subject of ${e164}`);
  const terms = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM consent_events WHERE subject_id = ? AND venue_id = ? AND number_hash = ? AND purpose = 'terms' AND decision = 'granted'`,
    [subjects[0].id, venueId, hash],
  );
  assert.ok(Number(terms!.n) >= 1, `the terms event of ${e164} is on its subject`);
  return subjects[0].id;
}

/** No event names a subject that is not stored, or another number's subject; no grant lacks its events; the chain verifies. */
export async function assertLedgerWhole(db: Queryable, keys: Keys): Promise<number> {
  const strays = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM consent_events e WHERE e.subject_id IS NOT NULL AND NOT EXISTS
       (SELECT 1 FROM subjects s WHERE s.id = e.subject_id AND s.venue_id = e.venue_id AND s.number_hash = e.number_hash)`,
  );
  assert.equal(Number(strays!.n), 0, 'every event names the stored subject of its own number');
  const orphans = await db.get<{ n: number }>(
    `SELECT COUNT(*) AS n FROM grants g WHERE NOT EXISTS
       (SELECT 1 FROM consent_events e WHERE e.subject_id = g.subject_id AND e.venue_id = g.venue_id AND e.purpose = 'terms' AND e.decision = 'granted')`,
  );
  assert.equal(Number(orphans!.n), 0, 'no grant without its ledger events');
  const v = await verifyLedger(db, keys);
  assert.equal(v.ok, true, `the ledger chain verifies: ${JSON.stringify(v)}`);
  return v.count;
}
