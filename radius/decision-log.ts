// One info line per answer Foyer gives a NAS (Access-Accept, Access-Reject, accounting
// stored), so a network admin following a guide's "check" step finds it in the log:
// which NAS asked, about whom (masked), what was decided and why, and how long it took.
import type { Logger } from './types.ts';

/**
 * 'g-3f9a1c2b7d4e' -> 'g-3f****4e', 'AA-BB-CC-DD-EE-FF' -> 'AA-B****FF': the first four
 * and last two characters, enough to match a line to a device or grant in the console,
 * not enough to log in with (the user name is half the credential).
 */
export function maskUser(user: string | undefined): string {
  if (!user) return '';
  if (user.length < 8) return '****';
  return `${user.slice(0, 4)}****${user.slice(-2)}`;
}

const since = (t0: number) => Math.round((performance.now() - t0) * 100) / 100;

export function logAccess(
  logger: Logger,
  nas: string,
  user: string,
  result: 'accept' | 'reject',
  t0: number,
  reason?: string,
): void {
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
