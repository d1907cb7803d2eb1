// Structured logs. Phone numbers are masked, codes and secrets never reach a log line.
import { pino, type Logger } from 'pino';
import type { AccessLines } from '../radius/decision-log.ts';
import type { Logger as RadiusLogger } from '../radius/types.ts';

export type { Logger };

const REDACT = [
  'password',
  'secret',
  'code',
  'token',
  'cookie',
  'authorization',
  '*.password',
  '*.secret',
  '*.code',
  '*.token',
  '*.cookie',
  '*.authorization',
  'req.headers.cookie',
  'req.headers.authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'foyer' } }, destination);
}

/**
 * The same log without redaction, for lines whose fields are fixed and masked already
 * (RADIUS's line per answer: NAS name, masked user, result, reason, time): redaction
 * walks every path on every line, about 5 of the 7 µs such a line cost (issue 18).
 */
export const unredacted = (log: Logger): Logger => log.child({}, { redact: [] });

/**
 * RADIUS's line per answer (radius/decision-log.ts) written as `log.info({ nas, user,
 * result, reason, ms }, 'Access-Accept' | 'Access-Reject')` would write it, key for key,
 * straight to the logger's destination: pino's generic serialiser and the object it is
 * given were about 1.4 KB of the 4.2 KB a cached MAC authentication allocated (issue 18).
 * Only for a logger without redaction, formatters or mixins (unredacted(createLogger(…))).
 */
export function accessLines(log: Logger): RadiusLogger & AccessLines {
  const l = log as unknown as Record<symbol, unknown>;
  const stream = l[pino.symbols.streamSym] as pino.DestinationStream;
  const time = l[pino.symbols.timeSym] as () => string;
  const bindings = l[pino.symbols.chindingsSym] as string;
  const level = log.levels.values.info;
  return {
    debug: (o, m) => log.debug(o, m),
    info: (o, m) => log.info(o, m),
    warn: (o, m) => log.warn(o, m),
    error: (o, m) => log.error(o, m),
    accessLine(nas, user, result, ms, reason) {
      if (!log.isLevelEnabled('info')) return;
      const why = reason === undefined ? '' : `,"reason":${JSON.stringify(reason)}`;
      const msg = result === 'accept' ? 'Access-Accept' : 'Access-Reject';
      stream.write(
        `{"level":${level}${time()}${bindings},"nas":${JSON.stringify(nas)},"user":${JSON.stringify(user)},"result":"${result}"${why},"ms":${ms},"msg":"${msg}"}\n`,
      );
    },
  };
}

/**
 * Standard output for the server (main.ts), written in batches: RADIUS logs one line per
 * answer, and a write() each was about a fifth of the CPU of a cached Access-Request
 * (issue 18). Lines are joined and written synchronously (nothing is left to a thread)
 * at most `maxDelayMs` after the first of them, or at once when `maxBytes` are pending;
 * what is pending when the process exits is written then. Flushing once per event-loop
 * turn instead wrote every few answers under load: a --cpu-prof profile of
 * `npm start` answering MAC authentication showed 21 % of the thread's time in those
 * writes (stop 23). The CLI keeps a write per line, so its log lines and its own output
 * stay in order.
 */
export function batchedStdout(): pino.DestinationStream {
  const out = pino.destination({ dest: 1, sync: true });
  const b = batchedWriter((lines) => out.write(lines));
  process.once('exit', b.flush);
  return b;
}

/** Lines handed to `write` joined: `maxDelayMs` after the first one waiting, or once `maxBytes` (UTF-16 units) wait. */
export function batchedWriter(
  write: (lines: string) => void,
  o: { maxDelayMs?: number; maxBytes?: number } = {},
): { write(line: string): void; flush(): void } {
  const maxDelayMs = o.maxDelayMs ?? 20;
  const maxBytes = o.maxBytes ?? 65_536;
  let pending: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!pending.length) return;
    const lines = pending.join('');
    pending = [];
    size = 0;
    write(lines);
  };
  return {
    flush,
    write(line: string) {
      // Unref'd: a process with nothing else to do exits, and 'exit' writes what waits.
      if (pending.push(line) === 1) (timer = setTimeout(flush, maxDelayMs)).unref();
      if ((size += line.length) >= maxBytes) flush();
    },
  };
}

/** +359881234567 -> +35988****567: enough to recognise, not enough to use. */
export function maskNumber(e164: string | undefined | null): string {
  if (!e164) return '';
  if (e164.length < 8) return '****';
  return `${e164.slice(0, 6)}****${e164.slice(-3)}`;
}
