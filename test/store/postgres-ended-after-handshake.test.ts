// A PostgreSQL server that ends a new connection right after accepting it (a shutdown or
// pg_terminate_backend in that instant, a failover) sends ReadyForQuery and then the
// 57P01 ErrorResponse, often in the same TCP segment. pg parses both in one go: the pool
// has already handed the new client over (taking its own 'error' listener off) and our
// listener is attached only when the awaited connect resumes, after the whole segment.
// An 'error' event with nobody listening ends the process. This server speaks just
// enough of the wire protocol (v3) to send that segment, which no real server can be
// made to do on cue.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { openPostgres } from '../../portal/store/postgres.ts';
import { StoreError } from '../../portal/store/db.ts';

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

/** AuthenticationOk, ReadyForQuery, then FATAL 57P01 and the end, in one write. */
const ACCEPT_THEN_TERMINATE = Buffer.concat([
  message('R', int32(0)),
  message('Z', Buffer.from('I')),
  message(
    'E',
    Buffer.from('SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0\0', 'latin1'),
  ),
]);

describe('PostgreSQL: a connection ended right after the handshake', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();

  before(async () => {
    server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.once('data', () => s.end(ACCEPT_THEN_TERMINATE)); // the StartupMessage
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('fails the transaction as unavailable, and the process lives on', async () => {
    const warnings: string[] = [];
    const db = await openPostgres(`postgres://foyer:foyer@127.0.0.1:${port}/foyer`, 2, (_level, m) => warnings.push(m));
    try {
      for (let i = 0; i < 3; i++) {
        const err = await db
          .tx((tx) => tx.get('SELECT 1'))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        assert.ok(err instanceof StoreError, `attempt ${i}: ${String(err)}`);
        assert.equal(err.code, 'unavailable', err.message);
      }
      // The plain (pool.query) path hears it too.
      await assert.rejects(db.get('SELECT 1'), (e: unknown) => e instanceof StoreError && e.code === 'unavailable');
    } finally {
      await db.close().catch(() => undefined);
    }
  });
});
