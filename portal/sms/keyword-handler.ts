// What Foyer does with an inbound SMS: STOP withdraws SMS-offers consent (one venue, or
// every venue for STOPALL), START restores it for a number that had agreed before, HELP
// says who is sending and how to stop, a venue keyword opts in. Each consent change is a
// ledger event (channel sms-keyword) holding the message as evidence; the reply goes
// back through the gateway.
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.ts';
import type { Keys } from '../crypto/keys.ts';
import type { Logger } from '../log.ts';
import { maskNumber } from '../log.ts';
import { numberHash } from '../consent/subjects.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { currentOffersVenue, lastConsentLocale, lastOffersVenue } from '../consent/offers-by-number.ts';
import { stopByKeyword } from '../consent/commands/stop.ts';
import { optInByKeyword, startByKeyword } from '../consent/commands/keyword-opt.ts';
import { listVenues, type Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import { classifySms } from './keywords.ts';
import type { InboundSms } from './inbound.ts';

/** A locale string with its parameters filled in (portal/context.ts builds it from templates/locales). */
export type Translate = (locale: Locale, key: string, params?: Record<string, string | number>) => string;

export interface KeywordDeps {
  db: Db;
  keys: Keys;
  cipher: FieldCipher;
  t: Translate;
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
  const byId = new Map(venues.map((v) => [v.id, v]));
  const known = (id: string) => byId.has(id);
  const venue = (id: string | undefined): Venue | undefined => (id === undefined ? undefined : byId.get(id));
  const keywords = venues.map((v) => v.settings.smsKeyword ?? '').filter(Boolean);
  const intent = classifySms(msg.text, keywords);
  // The language of the person's last consent, else Bulgarian for +359 numbers, else English.
  const locale = (await lastConsentLocale(db, hash)) ?? (msg.from.startsWith('+359') ? 'bg' : 'en');
  const t = (key: string, params: Record<string, string | number> = {}) =>
    deps.t(locale, `lifecycle.${key}`, { frequency: deps.t(locale, 'lifecycle.frequency'), ...params });
  const m = { numberHash: hash, locale, evidence: msg.text.slice(0, 4096) };

  switch (intent.kind) {
    case 'stop': {
      const all = intent.scope === 'all';
      const targets = await db.tx((tx) => stopByKeyword(tx, keys, { ...m, all }, known));
      const reply = !targets.length
        ? t('stopNothing')
        : all
          ? t('stopAll')
          : t('stop', { venue: byId.get(targets[0])!.name });
      return { action: all ? 'stop-all' : 'stop', venueIds: targets, reply };
    }
    case 'start': {
      const started = venue(await db.tx((tx) => startByKeyword(tx, keys, m, known)));
      if (!started) return { action: 'start-refused', venueIds: [], reply: t('startRefused') };
      return { action: 'start', venueIds: [started.id], reply: t('start', { venue: started.name }) };
    }
    case 'help': {
      const last = venue(await lastOffersVenue(db, hash));
      const custom = last?.settings.wording[locale]?.smsHelp;
      const reply = last
        ? custom || t('help', { venue: last.name, contact: last.settings.contact || '-' })
        : t('helpGeneric');
      return { action: 'help', venueIds: last ? [last.id] : [], reply };
    }
    case 'optin': {
      const target = venues.find((v) => v.settings.smsKeyword === intent.keyword)!;
      // The reply states the terms: its wording is the notice this consent was given under.
      const reply = t('optin', { venue: target.name });
      await db.tx((tx) =>
        optInByKeyword(
          tx,
          deps,
          { ...m, venueId: target.id, e164: msg.from, keyword: intent.keyword, reply },
          deps.now(),
        ),
      );
      return { action: 'optin', venueIds: [target.id], reply };
    }
    case 'flag': {
      const current = venue(await currentOffersVenue(db, hash));
      await db.run(
        'INSERT INTO inbound_flags (id, venue_id, from_hash, from_masked, text, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [randomUUID(), current?.id ?? null, hash, maskNumber(msg.from), m.evidence, intent.reason, deps.now()],
      );
      deps.log.info({ from: maskNumber(msg.from), venue: current?.slug }, 'inbound SMS flagged for the operator');
      return {
        action: 'flagged',
        venueIds: current ? [current.id] : [],
        reply: current ? t('flagged', { venue: current.name }) : undefined,
      };
    }
    default:
      return { action: 'ignored', venueIds: [] };
  }
}
