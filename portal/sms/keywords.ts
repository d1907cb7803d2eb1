// What an inbound SMS asks for. Keywords match case- and accent-insensitively, in Latin
// and Cyrillic, with or without punctuation, when they are the whole message. A message
// that plainly asks to stop without being a keyword is flagged for the operator.

export type KeywordIntent =
  | { kind: 'stop'; scope: 'venue' | 'all' }
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'optin'; keyword: string }
  | { kind: 'flag'; reason: 'looks-like-stop' }
  | { kind: 'none' };

const STOP = [
  'STOP',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'REVOKE',
  'OPT OUT',
  'OPTOUT',
  'СТОП',
  'ОТПИШИ',
  'ОТПИШИ МЕ',
  'ОТКАЗ',
];
const STOP_ALL = ['STOPALL', 'STOP ALL'];
const START = ['START', 'UNSTOP', 'СТАРТ'];
const HELP = ['HELP', 'INFO', 'ПОМОЩ'];

// Plain-language stop requests: English and Bulgarian stems, each starting a word (the
// text is normalised to single spaces; \b would know only ASCII letters).
const STOPPISH =
  /(?:^| )(STOP|UNSUBSCRIBE|REMOVE ME|OPT ?OUT|DON ?T (TEXT|MESSAGE|SMS)|NO MORE|СТОП|СПРЕТЕ|СПРИ|ОТПИШ|НЕ (ИСКАМ|ПРАЩАЙТЕ|ИЗПРАЩАЙТЕ)|ПРЕМАХНЕТЕ)/u;

/** Upper case, accents removed (Й and Ё kept: they are letters of their own), punctuation to spaces. */
export function normalizeSms(text: string): string {
  return (
    text
      .normalize('NFC')
      .toUpperCase()
      .normalize('NFD')
      // Cyrillic Й and Ё are letters, not accented И and Е: keep their marks.
      .replace(/([ИЕ])([\u0306\u0308])|\p{M}/gu, (_m, base?: string, mark?: string) => (base ? base + mark : ''))
      .normalize('NFC')
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim()
      .replace(/\s+/g, ' ')
  );
}

export function classifySms(text: string, venueKeywords: string[] = []): KeywordIntent {
  const n = normalizeSms(text);
  if (STOP_ALL.includes(n)) return { kind: 'stop', scope: 'all' };
  if (STOP.includes(n)) return { kind: 'stop', scope: 'venue' };
  if (START.includes(n)) return { kind: 'start' };
  if (HELP.includes(n)) return { kind: 'help' };
  for (const k of venueKeywords) if (k && normalizeSms(k) === n) return { kind: 'optin', keyword: k };
  if (STOPPISH.test(n)) return { kind: 'flag', reason: 'looks-like-stop' };
  return { kind: 'none' };
}
