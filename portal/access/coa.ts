// Disconnect-Requests through radius/'s RFC 5176 client. The session is named by
// Acct-Session-Id, User-Name and Framed-IP-Address: the NAS matches every attribute
// sent, and Calling-Station-Id is left out because Foyer stores the MAC in its own
// notation, which need not be the NAS's.
import { sendDisconnect } from '../../radius/coa-client.ts';
import type { Disconnector } from './disconnect-request.ts';

export function coaDisconnector(o: { timeoutMs?: number; retries?: number } = {}): Disconnector {
  return async (t) => {
    const r = await sendDisconnect(
      { host: t.host, port: t.nas.coaPort, secret: t.nas.secret },
      { acctSessionId: t.acctSessionId, userName: t.userName, framedIpAddress: t.framedIpAddress },
      { timeoutMs: o.timeoutMs ?? 2000, retries: o.retries ?? 2 },
    );
    return { result: r.result, errorCause: r.errorCause };
  };
}
