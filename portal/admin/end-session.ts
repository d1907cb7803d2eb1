// What an admin can do about a guest online, from the console or the CLI: disconnect
// only; disconnect and keep the device off the venue for some hours (the default: what
// a person who presses "disconnect" on an abuser expects, since a disconnected device
// otherwise comes straight back by MAC authentication); or revoke the grant, which ends
// every session of it and refuses its credentials and its device's MAC authentication
// from then on. The decision and its audit entry are written in one transaction; the
// Disconnect-Requests go out after it commits. Other Foyer processes' RADIUS learns of
// it through the grant change feed within about a second.
import type { AppContext } from '../context.ts';
import { FoyerError, badInput } from '../errors.ts';
import { findSession, type Session } from '../access/sessions.ts';
import { disconnectSession, type Disconnector, type DisconnectReport } from '../access/disconnect-request.ts';
import { blockDevice, type Block } from '../access/device-blocks.ts';
import { disconnectRevoked, grantVenueId, markRevoked } from '../access/grants.ts';
import { findNasById } from '../access/nas-clients.ts';
import { audit, type Actor } from '../accounts/audit.ts';

export const END_ACTIONS = ['block', 'disconnect', 'revoke'] as const;
export type EndAction = (typeof END_ACTIONS)[number];
export const DEFAULT_END_ACTION: EndAction = 'block';
export const DEFAULT_BLOCK_HOURS = 24;

export interface EndRequest {
  action: EndAction;
  /** For 'block'. */
  hours?: number;
  /** The default, not an explicit choice: a session without a MAC is then disconnected only, as there is no device to block. */
  byDefault?: boolean;
}

export interface EndOutcome {
  session: Session;
  venueId: string;
  action: EndAction;
  block?: Block;
  /** The NAS's answer for this session, or undefined when it had already ended. */
  disconnect?: DisconnectReport;
  /** For 'revoke': every open session of the grant. */
  others?: number;
}

/** Parses the choice as a form or the CLI sends it; anything else is a 400 in the admin's language. */
export function parseEndRequest(body: { action?: unknown; hours?: unknown }): EndRequest {
  const byDefault = body.action === undefined || body.action === '';
  const action = byDefault ? DEFAULT_END_ACTION : String(body.action);
  if (!(END_ACTIONS as readonly string[]).includes(action))
    throw badInput('end_action_invalid', 'Choose disconnect, block or revoke.');
  if (action !== 'block') return { action: action as EndAction };
  const raw = body.hours === undefined || body.hours === '' ? String(DEFAULT_BLOCK_HOURS) : String(body.hours);
  if (!/^\d{1,5}$/.test(raw))
    throw badInput('block_hours_invalid', 'Block for a whole number of hours.', { max: 8784 });
  return { action: 'block', hours: Number(raw), byDefault };
}

/** The session and the venue it belongs to (its grant's, else its NAS's): what permissions are checked against. */
export async function sessionAndVenue(
  app: AppContext,
  sessionId: string,
): Promise<{ session: Session; venueId: string }> {
  const session = await findSession(app.db, sessionId);
  if (!session) throw new FoyerError('admin_session_not_found', 404, 'There is no such session.');
  const fromGrant = session.grantId ? await grantVenueId(app.db, session.grantId) : undefined;
  const venueId = fromGrant ?? (await findNasById(app.db, app.cipher, session.nasId))?.venueId;
  if (!venueId) throw new FoyerError('admin_session_not_found', 404, 'There is no such session.');
  return { session, venueId };
}

export async function endSession(
  app: AppContext,
  disconnector: Disconnector | undefined,
  actor: Actor,
  sessionId: string,
  req: EndRequest,
): Promise<EndOutcome> {
  if (!disconnector)
    throw new FoyerError(
      'admin_disconnect_unavailable',
      503,
      'Disconnecting is not available: this process has no CoA client.',
    );
  const { session, venueId } = await sessionAndVenue(app, sessionId);
  if (req.action === 'block' && req.byDefault && !session.mac) req = { action: 'disconnect' };
  if (req.action === 'disconnect' && session.stoppedAt !== null)
    throw new FoyerError('admin_session_ended', 409, 'This session has already ended.');
  if (req.action === 'revoke' && !session.grantId)
    throw badInput(
      'revoke_no_grant',
      'This session was not opened with a grant of Foyer: there is nothing to revoke. Block the device instead.',
    );
  const now = app.now();

  const block = await app.db.tx(async (tx) => {
    const b =
      req.action === 'block'
        ? await blockDevice(tx, { venueId, mac: session.mac ?? '', hours: req.hours ?? DEFAULT_BLOCK_HOURS }, now)
        : undefined;
    if (req.action === 'revoke') await markRevoked(tx, session.grantId!, now);
    await audit(
      tx,
      actor,
      `session.${req.action}`,
      session.id,
      {
        venue: venueId,
        grant: session.grantId,
        mac: session.mac,
        ...(b ? { hours: req.hours ?? DEFAULT_BLOCK_HOURS, until: new Date(b.untilAt).toISOString() } : {}),
      },
      now,
    );
    return b;
  });

  const deps = { db: app.db, cipher: app.cipher, log: app.log, now: app.now, disconnect: disconnector };
  if (req.action === 'revoke') {
    const r = await disconnectRevoked(deps, session.grantId!);
    return {
      session,
      venueId,
      action: req.action,
      disconnect: r.sessions.find((s) => s.id === session.id)?.outcome,
      others: r.sessions.length,
    };
  }
  const disconnect =
    session.stoppedAt === null
      ? await disconnectSession(deps, session, req.action === 'block' ? 'blocked' : 'admin')
      : undefined;
  app.log.info({ session: session.id, action: req.action, result: disconnect?.result }, 'session ended by an admin');
  return { session, venueId, action: req.action, block, disconnect };
}
