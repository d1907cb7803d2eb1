// One info line per answer Foyer gives a NAS (Access-Accept, Access-Reject, accounting
// stored), so a network admin following a guide's "check" step finds it in the log:
// which NAS asked, about whom (masked), what was decided and why, and how long it took.
import type { Logger } from './types.ts';

/**
 * A log that takes an Access-* line's fields as they are, so that nothing but the line is
 * made per answer: the product's (portal/log.ts accessLines()) writes the same JSON line
 * its logger would, without building an object for it (issue 18: the object and the
 * generic serialiser were a third of the bytes a cached request allocated).
 */
export interface AccessLines {
  accessLine(nas: string, user: string, result: 'accept' | 'reject', ms: number, reason: string | undefined): void;
}

/**
 * 'g-3f9a1c2b7d4e' -> 'g-3f****4e', 'AA-BB-CC-DD-EE-FF' -> 'AA-B****FF': the first four
 * and last two characters, enough to match a line to a device or grant in the console,
 * not enough to log in with (the user name is half the credential).
 */
export function maskUser(user: string | undefined): string {
  if (!user) return '';
  if (user.length < 8) return '****';
  // Returning devices and guests ask again and again: their masked names are kept (bounded).
  let masked = user.length <= 64 ? MASKED.get(user) : undefined;
  if (masked === undefined) {
    masked = `${user.slice(0, 4)}****${user.slice(-2)}`;
    if (user.length <= 64) {
      if (MASKED.size >= 20_000) MASKED.clear();
      MASKED.set(user, masked);
    }
  }
  return masked;
}

const MASKED = new Map<string, string>();

const since = (t0: number) => Math.round((performance.now() - t0) * 100) / 100;

export function logAccess(
  logger: Logger & Partial<AccessLines>,
  nas: string,
  user: string,
  result: 'accept' | 'reject',
  t0: number,
  reason?: string,
): void {
  if (logger.accessLine) return logger.accessLine(nas, maskUser(user), result, since(t0), reason);
  logger.info(
    { nas, user: maskUser(user), result, reason, ms: since(t0) },
    result === 'accept' ? 'Access-Accept' : 'Access-Reject',
  );
}

export function logAccounting(
  logger: Logger,
  nas: string,
  user: string | undefined,
  status: string,
  session: string | undefined,
  t0: number,
): void {
  logger.info({ nas, user: maskUser(user), status, session, ms: since(t0) }, 'Accounting-Response');
}
