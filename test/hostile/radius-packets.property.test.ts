// A million generated and mutated RADIUS packets through the server's own datagram handler
// (some signed again after mutation, so they reach decoding and policy): nothing escapes
// as an exception. Then mutated packets over UDP at a live server, which keeps answering.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePacket, radiusPackage, loadDictionaries } from '../../radius/codec.ts';
import { signAccessRequest, signAccountingRequest } from '../../radius/authenticators.ts';
import { createRadiusServer } from '../../radius/server.ts';
import type { AccessDecision } from '../../radius/types.ts';
import {
  SECRET,
  PASSWORD,
  exchange,
  memoryLogger,
  nas,
  peer,
  startHarness,
  type Harness,
} from '../support/radius-harness.ts';

loadDictionaries();

const seeds: Buffer[] = [
  radiusPackage.encode({
    code: 'Access-Request',
    identifier: 1,
    secret: SECRET,
    add_message_authenticator: true,
    attributes: [
      ['User-Name', 'g-1'],
      ['User-Password', PASSWORD],
      ['Calling-Station-Id', 'AA-BB-CC-DD-EE-FF'],
      ['NAS-Identifier', 'ap'],
    ],
  }),
  radiusPackage.encode({
    code: 'Access-Request',
    identifier: 2,
    secret: SECRET,
    attributes: [
      ['User-Name', 'g-2'],
      ['CHAP-Password', Buffer.alloc(17, 7)],
      ['CHAP-Challenge', Buffer.alloc(16, 9)],
    ],
  }),
  radiusPackage.encode({
    code: 'Accounting-Request',
    identifier: 3,
    secret: SECRET,
    attributes: [
      ['Acct-Status-Type', 'Start'],
      ['Acct-Session-Id', 's1'],
      ['User-Name', 'g-1'],
      ['Framed-IP-Address', '10.0.0.2'],
      ['Acct-Input-Octets', 5],
      ['Acct-Input-Gigawords', 1],
    ],
  }),
  radiusPackage.encode({
    code: 'Accounting-Request',
    identifier: 4,
    secret: SECRET,
    attributes: [
      ['Acct-Status-Type', 'Stop'],
      ['Acct-Session-Id', 's1'],
      ['Acct-Terminate-Cause', 'User-Request'],
      ['Vendor-Specific', 'WISPr', [['WISPr-Location-Name', 'cafe']]],
    ],
  }),
];

/** A mutation: flip bytes, cut, extend, or rewrite the length field. */
const mutation = fc.record({
  seed: fc.nat({ max: seeds.length - 1 }),
  flips: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 6 }),
  cut: fc.option(fc.nat({ max: 4200 }), { nil: undefined }),
  tail: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }),
  length: fc.option(fc.nat({ max: 0xffff }), { nil: undefined }),
});

type Mutation = { seed: number; flips: [number, number][]; cut?: number; tail?: Uint8Array; length?: number };

function mutate(m: Mutation): Buffer {
  let b = Buffer.from(seeds[m.seed]);
  for (const [at, v] of m.flips) b[at % b.length] = v;
  if (m.tail) b = Buffer.concat([b, Buffer.from(m.tail)]);
  if (m.cut !== undefined) b = b.subarray(0, m.cut);
  if (m.length !== undefined && b.length >= 4) b.writeUInt16BE(m.length, 2);
  return b;
}

/** Signs a mutated packet again, so it passes the authenticator checks and reaches decoding and policy. */
function resign(b: Buffer): Buffer {
  const p = parsePacket(b);
  if ('malformed' in p) return b;
  const copy = Buffer.from(b);
  if (p.code === 4) {
    copy.fill(0, 4, 20);
    return signAccountingRequest(copy, p.maOffset, Buffer.from(SECRET));
  }
  if (p.maOffset >= 0) copy.fill(0, p.maOffset, p.maOffset + 16);
  return signAccessRequest(copy, p.maOffset, Buffer.from(SECRET));
}

/**
 * The server's own datagram handler (RadiusServer.receive, what its sockets call), not
 * started, so replies go nowhere. Policy answers synchronously from the password, as the
 * grant cache does; accounting resolves at once. Anything that escapes the handler is
 * logged as "handler failed", so the log is what the test asserts on.
 */
function realHandler() {
  const logger = memoryLogger();
  const outcomes = new Map<string, number>();
  const server = createRadiusServer({
    clients: {
      findBySource: (a) =>
        a === '127.0.0.1' ? nas({ requireMessageAuthenticator: false }) : a === '127.0.0.2' ? nas() : undefined,
    },
    authorizer: {
      authorize: (r): AccessDecision =>
        r.checkPassword(PASSWORD)
          ? { result: 'accept', sessionTimeout: 60 }
          : { result: 'reject', replyMessage: 'Wrong code' },
      account: () => Promise.resolve(),
    },
    authPort: 0,
    acctPort: 0,
    logger,
    observer: {
      packet: (_port, _type, result) =>
        void outcomes.set(result.split(':')[0], (outcomes.get(result.split(':')[0]) ?? 0) + 1),
    },
  });
  let n = 0;
  return {
    logger,
    outcomes,
    feed(b: Buffer) {
      n++;
      // Two sources (Message-Authenticator optional and required) and many source ports,
      // so the duplicate cache sees both repeats and new requests.
      const rinfo = {
        address: n % 3 ? '127.0.0.1' : '127.0.0.2',
        family: 'IPv4' as const,
        port: 1024 + (n % 4096),
        size: b.length,
      };
      server.receive(b.length > 0 && b[0] === 4 ? 'acct' : 'auth', b, rinfo);
    },
  };
}

describe('hostile RADIUS packets', function () {
  this.timeout(600_000);

  it("a million generated and mutated packets through the server's handler: nothing throws", async () => {
    const h = realHandler();
    const raw = fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(raw, (b) => void h.feed(b)),
      { numRuns: 300_000 },
    );
    fc.assert(
      fc.property(mutation, (m) => void h.feed(mutate(m))),
      { numRuns: 300_000 },
    );
    fc.assert(
      fc.property(mutation, (m) => void h.feed(resign(mutate(m)))),
      { numRuns: 400_000 },
    );
    await new Promise((r) => setTimeout(r, 50)); // accounting promises settle
    const failures = h.logger.lines.filter((l) => l.level === 'error');
    assert.deepEqual(failures.slice(0, 3), [], `${failures.length} datagrams made the handler fail`);
    // The packets went past the authenticators into decoding and policy, not only into drops.
    const o = Object.fromEntries(h.outcomes);
    for (const reached of ['accept', 'reject', 'start', 'stop', 'dropped', 'retransmission'])
      assert.ok((o[reached] ?? 0) > 0, `no packet reached "${reached}": ${JSON.stringify(o)}`);
  });

  describe('at a live server', () => {
    let h: Harness;
    after(() => h?.stop());

    it('keeps answering correct requests while mutated packets arrive', async () => {
      h = await startHarness();
      const p = await peer();
      const samples = fc.sample(mutation, { numRuns: 30_000, seed: 42 });
      for (let i = 0; i < samples.length; i++) {
        p.send(mutate(samples[i]), i % 2 ? h.acctPort : h.authPort);
        if (i % 500 === 0) await new Promise((r) => setImmediate(r));
      }
      p.close();
      const good = radiusPackage.encode({
        code: 'Access-Request',
        identifier: 200,
        secret: SECRET,
        add_message_authenticator: true,
        attributes: [
          ['User-Name', 'alice'],
          ['User-Password', PASSWORD],
        ],
      });
      let answer: Buffer | undefined;
      for (let tries = 0; tries < 10 && !answer; tries++) answer = await exchange(good, h.authPort, '127.0.0.1', 1000);
      assert.ok(answer, 'the server still answers');
      assert.equal(answer![0], 2, 'Access-Accept');
    });
  });
});
