// Issue 18: MAC authentication of a returning device is as cheap as a password one. Both go
// through the RADIUS service as npm start wires it (startRadius: the server's own datagram
// handler, authenticators, the access policy with its grant cache and re-consent check, the
// reply, the decision line), fed datagrams a NAS would send, without the kernel in between.
// A device whose grant is cached is answered before receive() returns (no promise on the
// way), with no database read for its grant or its re-consent verdict, and allocates no
// more heap per request than a cached PAP request (bytes from v8.GCProfiler: what was in
// use at the end, less at the start, plus what each collection freed).
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import v8 from 'node:v8';
import { randomFillSync } from 'node:crypto';
import { eachBackend } from '../support/backends.ts';
import { testContext, type TestContext } from '../support/context.ts';
import { guestGrant, venueWithNas } from './fixtures.ts';
import { startRadius, type RadiusService } from '../../portal/radius-main.ts';
import { createLogger } from '../../portal/log.ts';
import { outdatedConsents } from '../../portal/consent/reconsent.ts';
import { encryptUserPassword, signAccessRequest } from '../../radius/authenticators.ts';
import { ATTR, CODE, writePacket } from '../../radius/codec.ts';
import type { Db } from '../../portal/store/db.ts';

const SECRET = Buffer.from('testing123-secret');
const PER_ROUND = 3000;
const ROUNDS = 5;

/** An Access-Request with a Message-Authenticator; a fresh authenticator each, so none is a retransmission. */
function accessRequest(name: string, password: string, station: string, identifier: number): Buffer {
  const auth = randomFillSync(Buffer.allocUnsafe(16));
  const attrs = [
    { type: ATTR.UserName, value: Buffer.from(name) },
    { type: ATTR.UserPassword, value: encryptUserPassword(password, auth, SECRET) },
    { type: ATTR.CallingStationId, value: Buffer.from(station) },
  ];
  return signAccessRequest(writePacket(CODE.AccessRequest, identifier & 255, auth, attrs, true), 22, SECRET);
}

const turn = () => new Promise((r) => setImmediate(r));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

eachBackend('access: MAC authentication costs no more than a password', (backend) => {
  let ctx: TestContext;
  let server: RadiusService;
  let sink: dgram.Socket;
  let grantReads = 0;
  let consentChecks = 0;
  const decisions = { accept: 0, other: 0 };

  beforeEach(async () => {
    ctx = await testContext({ backend });
    // The auth path's grant query counted (grant-state.ts); the change feed's own reads are not.
    const db: Db = Object.create(ctx.db);
    db.get = (sql, params) => {
      if (/FROM grants g/.test(sql)) grantReads++;
      return ctx.db.get(sql, params);
    };
    const log = createLogger('info', {
      write(line: string) {
        if (line.includes('"result":"accept"')) decisions.accept++;
        else if (line.includes('"result"')) decisions.other++;
      },
    });
    server = await startRadius(
      { ...ctx, db, log },
      {
        authPort: 0,
        acctPort: 0,
        host: '127.0.0.1',
        outdatedConsents: (g) => (consentChecks++, outdatedConsents(ctx, g)),
      },
    );
    sink = dgram.createSocket('udp4');
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  });
  afterEach(async () => {
    await server.stop();
    sink.close();
    await ctx.cleanup();
  });

  it('a cached device: answered within receive(), no database read, no more heap a request than PAP', async () => {
    const { venue } = await venueWithNas(ctx, 'cafe');
    const guest = await guestGrant(ctx, venue, { mac: '02:00:00:00:00:01' });
    await guestGrant(ctx, venue, { mac: '02:00:00:00:00:02' });
    const rinfo = { address: '127.0.0.1', family: 'IPv4' as const, port: sink.address().port, size: 0 };
    let id = 0;
    const paths = {
      pap: () => accessRequest(guest.username, guest.password, '02-00-00-00-00-01', id++),
      mac: () => accessRequest('02-00-00-00-00-02', '02-00-00-00-00-02', '02-00-00-00-00-02', id++),
    };
    // The first request of each reads the database; then both are cached.
    for (const make of Object.values(paths)) server.receive('auth', make(), rinfo);
    for (let i = 0; i < 200 && decisions.accept < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual([decisions, grantReads, consentChecks], [{ accept: 2, other: 0 }, 2, 1]);

    for (const [name, make] of Object.entries(paths)) {
      const before = decisions.accept;
      server.receive('auth', make(), rinfo);
      assert.equal(decisions.accept, before + 1, `${name}: answered before receive() returned`);
    }

    const bytes: Record<string, number[]> = { pap: [], mac: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, make] of Object.entries(paths)) {
        const packets = Array.from({ length: PER_ROUND }, make);
        const accepted = decisions.accept;
        await turn();
        const profiler = new v8.GCProfiler();
        const start = v8.getHeapStatistics().used_heap_size;
        profiler.start();
        for (let i = 0; i < PER_ROUND; i++) {
          server.receive('auth', packets[i], rinfo);
          // Let replies go out and the change feed be read, as between bursts of datagrams.
          if (i % 500 === 499) await turn();
        }
        await turn();
        const end = v8.getHeapStatistics().used_heap_size;
        const freed = profiler
          .stop()
          .statistics.reduce(
            (n, s) => n + s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize,
            0,
          );
        bytes[name].push((end - start + freed) / PER_ROUND);
        assert.equal(decisions.accept - accepted, PER_ROUND, `${name}: every request accepted`);
      }
    }
    assert.deepEqual([grantReads, consentChecks, decisions.other], [2, 1, 0], 'nothing read again, nothing refused');
    const pap = Math.round(median(bytes.pap));
    const mac = Math.round(median(bytes.mac));
    assert.ok(mac <= pap, `heap bytes a request: MAC authentication ${mac}, PAP ${pap} (medians of ${ROUNDS})`);
  });
});
