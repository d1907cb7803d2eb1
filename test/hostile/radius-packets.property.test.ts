// A million generated and mutated RADIUS packets through the codec: nothing escapes as an
// exception. Then mutated packets over UDP at a live server, which keeps answering.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePacket, decodeAttributes, radiusPackage, loadDictionaries } from '../../radius/codec.ts';
import { toAccessRequest, toAccountingRecord } from '../../radius/requests.ts';
import { SECRET, PASSWORD, exchange, nas, peer, startHarness, type Harness } from '../support/radius-harness.ts';

loadDictionaries();

const seeds: Buffer[] = [
  radiusPackage.encode({ code: 'Access-Request', identifier: 1, secret: SECRET, add_message_authenticator: true, attributes: [['User-Name', 'g-1'], ['User-Password', PASSWORD], ['Calling-Station-Id', 'AA-BB-CC-DD-EE-FF'], ['NAS-Identifier', 'ap']] }),
  radiusPackage.encode({ code: 'Access-Request', identifier: 2, secret: SECRET, attributes: [['User-Name', 'g-2'], ['CHAP-Password', Buffer.alloc(17, 7)], ['CHAP-Challenge', Buffer.alloc(16, 9)]] }),
  radiusPackage.encode({ code: 'Accounting-Request', identifier: 3, secret: SECRET, attributes: [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 's1'], ['User-Name', 'g-1'], ['Framed-IP-Address', '10.0.0.2'], ['Acct-Input-Octets', 5], ['Acct-Input-Gigawords', 1]] }),
  radiusPackage.encode({ code: 'Accounting-Request', identifier: 4, secret: SECRET, attributes: [['Acct-Status-Type', 'Stop'], ['Acct-Session-Id', 's1'], ['Acct-Terminate-Cause', 'User-Request'], ['Vendor-Specific', 'WISPr', [['WISPr-Location-Name', 'cafe']]]] }),
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

/** What the server does with a datagram before policy: frame, decode, turn into a request or a record. */
function handle(b: Buffer): void {
  const p = parsePacket(b);
  if ('malformed' in p) return;
  const attrs = decodeAttributes(p);
  if (!attrs) return;
  if (p.code === 1) {
    const r = toAccessRequest(nas(), p, attrs);
    if ('checkPassword' in r) r.checkPassword(PASSWORD);
  } else if (p.code === 4) toAccountingRecord(nas(), attrs, new Date());
}

describe('hostile RADIUS packets', function () {
  this.timeout(600_000);

  it('a million generated and mutated packets: nothing throws', () => {
    const raw = fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.from(a));
    fc.assert(fc.property(raw, (b) => void handle(b)), { numRuns: 300_000 });
    fc.assert(fc.property(mutation, (m) => void handle(mutate(m))), { numRuns: 700_000 });
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
      const good = radiusPackage.encode({ code: 'Access-Request', identifier: 200, secret: SECRET, add_message_authenticator: true, attributes: [['User-Name', 'alice'], ['User-Password', PASSWORD]] });
      let answer: Buffer | undefined;
      for (let tries = 0; tries < 10 && !answer; tries++) answer = await exchange(good, h.authPort, '127.0.0.1', 1000);
      assert.ok(answer, 'the server still answers');
      assert.equal(answer![0], 2, 'Access-Accept');
    });
  });
});
