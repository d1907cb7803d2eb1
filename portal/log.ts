// Structured logs. Phone numbers are masked, codes and secrets never reach a log line.
import { pino, type Logger } from 'pino';

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
 * Standard output for the server (main.ts), one write per turn of the event loop: RADIUS
 * logs one line per answer, and a write() each was about a fifth of the CPU of a cached
 * Access-Request (issue 18). The lines of one turn (a burst of packets) are joined and
 * written synchronously before the next turn, so none waits for more to come and
 * nothing is left to a thread; what is pending when the process exits is written then.
 * The CLI keeps a write per line, so its log lines and its own output stay in order.
 */
export function batchedStdout(): pino.DestinationStream {
  const out = pino.destination({ dest: 1, sync: true });
  let pending: string[] = [];
  const flush = () => {
    if (!pending.length) return;
    const lines = pending.join('');
    pending = [];
    out.write(lines);
  };
  process.once('exit', flush);
  return {
    write(line: string) {
      if (pending.push(line) === 1) setImmediate(flush);
    },
  };
}

/** +359881234567 -> +35988****567: enough to recognise, not enough to use. */
export function maskNumber(e164: string | undefined | null): string {
  if (!e164) return '';
  if (e164.length < 8) return '****';
  return `${e164.slice(0, 6)}****${e164.slice(-3)}`;
}
