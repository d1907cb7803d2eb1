// Ending one RADIUS session from the console: portal/access/ decides and records,
// radius/ speaks CoA; this turns the outcome into what the admin reads.
import type { AppContext } from '../context.ts';
import { FoyerError } from '../errors.ts';
import { disconnectSession, type Disconnector } from '../access/disconnect-request.ts';
import { findSession } from '../access/sessions.ts';

export interface DisconnectResult {
  /** True on Disconnect-ACK. */
  ok: boolean;
  /** What the NAS answered: ack, nak (with Error-Cause), timeout, unknown_nas. */
  result: string;
  errorCause?: string;
}

export async function disconnectFromConsole(
  app: AppContext,
  disconnector: Disconnector | undefined,
  sessionId: string,
): Promise<DisconnectResult> {
  if (!disconnector)
    throw new FoyerError(
      'admin_disconnect_unavailable',
      503,
      'Disconnecting is not available: this process has no CoA client.',
    );
  const s = await findSession(app.db, sessionId);
  if (!s) throw new FoyerError('admin_session_not_found', 404, 'There is no such session.');
  if (s.stoppedAt !== null) throw new FoyerError('admin_session_ended', 409, 'This session has already ended.');
  const r = await disconnectSession(
    { db: app.db, cipher: app.cipher, log: app.log, now: app.now, disconnect: disconnector },
    s,
    'admin',
  );
  return {
    ok: r.result === 'ack',
    result: r.result,
    errorCause: 'errorCause' in r && r.errorCause !== undefined ? String(r.errorCause) : undefined,
  };
}
