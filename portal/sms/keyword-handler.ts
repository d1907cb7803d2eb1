// What Foyer does with an inbound SMS: STOP withdraws SMS-offers consent (one venue, or
// every venue for STOPALL), START restores it for a number that had agreed before, HELP
// says who is sending and how to stop, a venue keyword opts in. Each consent change is a
// ledger event (channel sms-keyword) holding the message as evidence; the reply goes
// back through the gateway.
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.ts';
import type { Keys } from '../crypto/keys.ts';
import type { Views } from '../http/views.ts';
import type { Logger } from '../log.ts';
import { maskNumber } from '../log.ts';
import { appendEvents } from '../consent/append.ts';
import { numberHash, upsertSubject } from '../consent/subjects.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { sha256 } from '../consent/event.ts';
import { registerTemplateVersion } from '../consent/template-versions.ts';
import { listVenues, type Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { classifySms } from './keywords.ts';
import type { InboundSms } from './inbound.ts';

export interface KeywordDeps {
  db: Db;
  keys: Keys;
  cipher: FieldCipher;
  views: Views;
  log: Logger;
  now: () => number;
}

export interface KeywordOutcome {
  action: 'stop' | 'stop-all' | 'start' | 'start-refused' | 'help' | 'optin' | 'flagged' | 'ignored';
  venueIds: string[];
  reply?: string;
}

export async function handleKeyword(deps: KeywordDeps, msg: InboundSms): Promise<KeywordOutcome> {
  const { db, keys } = deps;
  const hash = numberHash(keys, msg.from);
  const venues = await listVenues(db);
  const byId: VenuesById = new Map(venues.map((v) => [v.id, v]));
  const keywords = venues.map((v) => v.settings.smsKeyword ?? '').filter(Boolean);
  const intent = classifySms(msg.text, keywords);
  const locale = await localeFor(db, hash, msg.from);
  const t = (key: string, params: Record<string, string | number> = {}) => deps.views.t(locale, `lifecycle.${key}`, { frequency: deps.views.t(locale, 'lifecycle.frequency'), ...params });
  const evidence = msg.text.slice(0, 4096);
  const event = (venue: Venue, decision: 'granted' | 'withdrawn', extra: { templateVersionId?: string; textHash?: string } = {}) => ({
    venueId: venue.id, purpose: 'sms' as const, decision, channel: 'sms-keyword' as const, numberHash: hash, locale, evidence, ...extra,
  });

  switch (intent.kind) {
    case 'stop': {
      const targets = intent.scope === 'all' ? await grantedVenues(db, byId, hash) : await currentVenue(db, byId, hash);
      if (targets.length) await db.tx((tx) => appendEvents(tx, targets.map((v) => event(v, 'withdrawn')), keys));
      const reply = !targets.length ? t('stopNothing') : intent.scope === 'all' ? t('stopAll') : t('stop', { venue: targets[0].name });
      return { action: intent.scope === 'all' ? 'stop-all' : 'stop', venueIds: targets.map((v) => v.id), reply };
    }
    case 'start': {
      const venue = await lastVenue(db, byId, hash);
      const hadGranted = venue && (await db.get(`SELECT 1 AS ok FROM consent_events WHERE number_hash = ? AND venue_id = ? AND purpose = 'sms' AND decision = 'granted' LIMIT 1`, [hash, venue.id]));
      if (!venue || !hadGranted) return { action: 'start-refused', venueIds: [], reply: t('startRefused') };
      await db.tx((tx) => appendEvents(tx, [event(venue, 'granted')], keys));
      return { action: 'start', venueIds: [venue.id], reply: t('start', { venue: venue.name }) };
    }
    case 'help': {
      const venue = await lastVenue(db, byId, hash);
      const custom = venue?.settings.wording[locale]?.smsHelp;
      const reply = venue ? custom || t('help', { venue: venue.name, contact: venue.settings.contact || '-' }) : t('helpGeneric');
      return { action: 'help', venueIds: venue ? [venue.id] : [], reply };
    }
    case 'optin': {
      const venue = venues.find((v) => v.settings.smsKeyword === intent.keyword)!;
      const reply = t('optin', { venue: venue.name });
      // The reply states the terms: its wording is the notice this consent was given under.
      const templateVersionId = await registerTemplateVersion(db, venue.id, { kind: 'sms-keyword-optin', locale, keyword: intent.keyword, reply });
      // Sending from the number proves it: the person joins the venue's subjects as at the portal.
      await db.tx(async (tx) => {
        const subjectId = await upsertSubject(tx, deps, venue.id, { e164: msg.from }, deps.now());
        await appendEvents(tx, [{ ...event(venue, 'granted', { templateVersionId, textHash: sha256(reply) }), subjectId }], keys);
      });
      return { action: 'optin', venueIds: [venue.id], reply };
    }
    case 'flag': {
      const [venue] = await currentVenue(db, byId, hash);
      await db.run('INSERT INTO inbound_flags (id, venue_id, from_hash, from_masked, text, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        randomUUID(), venue?.id ?? null, hash, maskNumber(msg.from), evidence, intent.reason, deps.now(),
      ]);
      deps.log.info({ from: maskNumber(msg.from), venue: venue?.slug }, 'inbound SMS flagged for the operator');
      return { action: 'flagged', venueIds: venue ? [venue.id] : [], reply: venue ? t('flagged', { venue: venue.name }) : undefined };
    }
    default:
      return { action: 'ignored', venueIds: [] };
  }
}

type VenuesById = Map<string, Venue>;

/** The venue a STOP is about: the one whose offers this number currently receives, most recent first. */
async function currentVenue(db: Db, byId: VenuesById, hash: string): Promise<Venue[]> {
  const row = await db.get<{ venue_id: string }>(`SELECT venue_id FROM consent_state WHERE number_hash = ? AND purpose = 'sms' AND decision = 'granted' ORDER BY seq DESC LIMIT 1`, [hash]);
  const v = row && byId.get(row.venue_id);
  return v ? [v] : [];
}

async function grantedVenues(db: Db, byId: VenuesById, hash: string): Promise<Venue[]> {
  const rows = await db.all<{ venue_id: string }>(`SELECT venue_id FROM consent_state WHERE number_hash = ? AND purpose = 'sms' AND decision = 'granted' ORDER BY seq DESC`, [hash]);
  return rows.map((r) => byId.get(r.venue_id)).filter((v): v is Venue => Boolean(v));
}

/** The venue this number last dealt with, whatever the decision. */
async function lastVenue(db: Db, byId: VenuesById, hash: string): Promise<Venue | undefined> {
  const row = await db.get<{ venue_id: string }>(`SELECT venue_id FROM consent_state WHERE number_hash = ? AND purpose = 'sms' ORDER BY seq DESC LIMIT 1`, [hash]);
  return row && byId.get(row.venue_id);
}

/** The language of the person's last consent, else Bulgarian for +359 numbers, else English. */
async function localeFor(db: Db, hash: string, e164: string): Promise<Locale> {
  const row = await db.get<{ locale: string | null }>('SELECT locale FROM consent_events WHERE number_hash = ? AND locale IS NOT NULL ORDER BY seq DESC LIMIT 1', [hash]);
  if (row?.locale === 'bg' || row?.locale === 'en') return row.locale;
  return e164.startsWith('+359') ? 'bg' : 'en';
}
