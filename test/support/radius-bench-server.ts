// The Foyer RADIUS server with an in-memory authorizer, in its own process so a
// benchmark's load client does not share its event loop (FreeRADIUS gets its own
// process too). Prints {"authPort":N} on stdout once listening.
import { createRadiusServer } from '../../radius/server.ts';
import type { AccessDecision, NasClient } from '../../radius/types.ts';

const secret = process.env.BENCH_SECRET ?? 'testing123';
const users = Number(process.env.BENCH_USERS ?? 10_000);
const passwords = new Map(Array.from({ length: users }, (_, i) => [`guest-${i}`, `pw-${i}-x`]));
const nas: NasClient = {
  id: 'n',
  name: 'bench',
  secret: Buffer.from(secret),
  replyProfile: 'mikrotik',
  venueId: 'v',
  requireMessageAuthenticator: true,
  coaPort: 3799,
};
const server = createRadiusServer({
  clients: { findBySource: (a) => (a === '127.0.0.1' ? nas : undefined) },
  authorizer: {
    authorize(r): AccessDecision {
      const pw = passwords.get(r.userName);
      return pw !== undefined && r.checkPassword(pw)
        ? { result: 'accept', sessionTimeout: 3600, bandwidth: { upKbps: 2048, downKbps: 8192 } }
        : { result: 'reject', replyMessage: 'no' };
    },
    async account() {},
  },
  authPort: 0,
  acctPort: 0,
  host: '127.0.0.1',
  logger: { debug() {}, info() {}, warn() {}, error: (o: object, m?: string) => console.error(m, o) },
  receiveBufferBytes: 4 * 1024 * 1024,
});
server.start().then(({ authPort }) => console.log(JSON.stringify({ authPort })));
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
