// Structured logs. Phone numbers are masked, codes and secrets never reach a log line.
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'password', 'secret', 'code', 'token', 'cookie', 'authorization',
  '*.password', '*.secret', '*.code', '*.token', '*.cookie', '*.authorization',
  'req.headers.cookie', 'req.headers.authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'foyer' } }, destination);
}

/**
 * Standard output written asynchronously, for the server (main.ts): RADIUS logs one line
 * per answer, and a synchronous write() each was about a fifth of the CPU of a cached
 * Access-Request (issue 18). Lines that come while a write is under way go out together
 * in the next one; pino flushes what is left synchronously when the process exits. The
 * CLI keeps synchronous writes, so its log lines and its output stay in order.
 */
export const asyncStdout = (): pino.DestinationStream => pino.destination({ dest: 1, sync: false });

/** +359881234567 -> +35988****567: enough to recognise, not enough to use. */
export function maskNumber(e164: string | undefined | null): string {
  if (!e164) return '';
  if (e164.length < 8) return '****';
  return `${e164.slice(0, 6)}****${e164.slice(-3)}`;
}
