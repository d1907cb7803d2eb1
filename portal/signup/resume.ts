// A browser that comes back through the NAS redirect with a flow of its own (back from
// the SMS app, or after a lost hand-back) continues it: on screen 2 while its code still
// works, with the hand-back while the NAS has not seen its grant. Nothing else resumes a
// flow: a MAC address is no secret, and a redirect for another device starts afresh.
import type { AppContext } from '../context.ts';
import { verificationState } from '../verification/verifications.ts';
import { handbackPending, macHash, type Flow } from './flows.ts';

export async function resumeAt(
  app: Pick<AppContext, 'db' | 'keys'>,
  own: Flow,
  clientMac: string | undefined,
  now: number,
): Promise<'code' | 'online' | undefined> {
  if (clientMac && macHash(app.keys, clientMac) !== own.macHash) return undefined;
  if (
    own.state === 'code_sent' &&
    own.verificationId &&
    (await verificationState(app.db, own.verificationId, now))?.state === 'ok'
  )
    return 'code';
  if (own.state === 'done' && (await handbackPending(app.db, own.id, now))) return 'online';
  return undefined;
}
