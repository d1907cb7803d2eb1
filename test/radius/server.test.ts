// The server over real UDP on loopback, with the `radius` package as the NAS.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { ATTR, CODE, parsePacket, radiusPackage, writePacket, type RawPacket } from '../../radius/codec.ts';
import { chapResponse, signAccessRequest, verifyResponse } from '../../radius/authenticators.ts';
import type { AccountingRecord } from '../../radius/types.ts';
import { PASSWORD, SECRET, exchange, nas, peer, startHarness, type Harness } from '../support/radius-harness.ts';

type Attr = [string | number, unknown];

function accessRequest(attrs: Attr[], o: { ma?: boolean; secret?: string; identifier?: number } = {}): Buffer {
  return radiusPackage.encode({
    code: 'Access-Request',
    identifier: o.identifier ?? Math.floor(Math.random() * 256),
    secret: o.secret ?? SECRET,
    attributes: attrs as Array<[string, unknown]>,
    add_message_authenticator: o.ma ?? true,
  });
}

function accountingRequest(attrs: Attr[], secret = SECRET): Buffer {
  return radiusPackage.encode({
    code: 'Accounting-Request',
    identifier: Math.floor(Math.random() * 256),
    secret,
    attributes: attrs as Array<[string, unknown]>,
  });
}

function parsed(b: Buffer | undefined): RawPacket {
  assert.ok(b, 'expected an answer');
  const p = parsePacket(b);
  assert.ok(!('malformed' in p), 'answer is well-formed');
  return p as RawPacket;
}

/** Checks the answer is genuine (both authenticators, Message-Authenticator FIRST) and returns its named attributes. */
function genuine(request: Buffer, answer: Buffer | undefined, code: number): Record<string, unknown> {
  const p = parsed(answer);
  assert.equal(p.code, code);
  assert.equal(p.identifier, request[1]);
  assert.equal(p.bytes[20], ATTR.MessageAuthenticator, 'Message-Authenticator is the first attribute');
  assert.ok(verifyResponse(p, request.subarray(4, 20), Buffer.from(SECRET), true), 'authenticators verify');
  assert.ok(
    radiusPackage.verify_response({ request, response: Buffer.from(answer!), secret: SECRET }),
    'the radius package accepts it too',
  );
  return radiusPackage.decode({ packet: answer!, secret: SECRET }).attributes;
}

describe('radius server: access requests', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  it('accepts PAP with the right password and gives policy the request attributes', async () => {
    h = await startHarness();
    const req = accessRequest([
      ['User-Name', 'alice'],
      ['User-Password', PASSWORD],
      ['Calling-Station-Id', 'AA-BB-CC-DD-EE-FF'],
      ['Called-Station-Id', 'venue-ssid'],
      ['NAS-Identifier', 'ap-1'],
      ['NAS-IP-Address', '192.0.2.1'],
      ['Framed-IP-Address', '10.0.0.9'],
    ]);
    const attrs = genuine(req, await exchange(req, h.authPort), CODE.AccessAccept);
    assert.equal(attrs['Session-Timeout'], 3600);
    const r = h.authorized[0];
    assert.equal(r.method, 'pap');
    assert.equal(r.userName, 'alice');
    assert.equal(r.callingStationId, 'AA-BB-CC-DD-EE-FF');
    assert.equal(r.calledStationId, 'venue-ssid');
    assert.equal(r.nasIdentifier, 'ap-1');
    assert.equal(r.nasIpAddress, '192.0.2.1');
    assert.equal(r.framedIpAddress, '10.0.0.9');
    assert.equal(r.checkPassword('wrong'), false);
    assert.equal(r.checkPassword(PASSWORD + 'x'), false);
    assert.equal(r.checkPassword(''), false);
  });

  it('rejects PAP with a wrong password, with the Reply-Message, Message-Authenticator first', async () => {
    h = await startHarness();
    const req = accessRequest([
      ['User-Name', 'alice'],
      ['User-Password', 'nope'],
    ]);
    const attrs = genuine(req, await exchange(req, h.authPort), CODE.AccessReject);
    assert.equal(attrs['Reply-Message'], 'Wrong code');
  });

  it('accepts CHAP with CHAP-Challenge', async () => {
    h = await startHarness();
    const challenge = randomBytes(16);
    const chap = Buffer.concat([Buffer.of(7), chapResponse(7, PASSWORD, challenge)]);
    const req = accessRequest([
      ['User-Name', 'alice'],
      ['CHAP-Password', chap],
      ['CHAP-Challenge', challenge],
    ]);
    genuine(req, await exchange(req, h.authPort), CODE.AccessAccept);
    assert.equal(h.authorized[0].method, 'chap');
  });

  it('accepts CHAP without CHAP-Challenge (the Request Authenticator is the challenge)', async () => {
    h = await startHarness();
    const authenticator = randomBytes(16);
    const chap = Buffer.concat([Buffer.of(9), chapResponse(9, PASSWORD, authenticator)]);
    const req = radiusPackage.encode({
      code: 'Access-Request',
      identifier: 3,
      secret: SECRET,
      authenticator,
      attributes: [
        ['User-Name', 'alice'],
        ['CHAP-Password', chap],
      ],
      add_message_authenticator: true,
    });
    genuine(req, await exchange(req, h.authPort), CODE.AccessAccept);
    assert.equal(h.authorized[0].checkPassword('other'), false);
  });

  it('sends no answer to a request signed with a wrong secret', async () => {
    h = await startHarness();
    const req = accessRequest(
      [
        ['User-Name', 'alice'],
        ['User-Password', PASSWORD],
      ],
      { secret: 'not-the-secret' },
    );
    assert.equal(await exchange(req, h.authPort), undefined);
    assert.equal(h.authorized.length, 0);
    assert.ok(h.observed.some(([, , r]) => r === 'dropped:bad-message-authenticator'));
  });

  it('drops a request without Message-Authenticator when the NAS requires it (BlastRADIUS)', async () => {
    h = await startHarness();
    const req = accessRequest(
      [
        ['User-Name', 'alice'],
        ['User-Password', PASSWORD],
      ],
      { ma: false },
    );
    assert.equal(await exchange(req, h.authPort), undefined);
    assert.equal(h.authorized.length, 0);
    assert.ok(h.observed.some(([, , r]) => r === 'dropped:missing-message-authenticator'));
  });

  it('answers a request without Message-Authenticator when the NAS is allowed legacy, still with one first in the answer', async () => {
    h = await startHarness({ clients: { '127.0.0.1': nas({ requireMessageAuthenticator: false }) } });
    const req = accessRequest(
      [
        ['User-Name', 'alice'],
        ['User-Password', PASSWORD],
      ],
      { ma: false },
    );
    const answer = await exchange(req, h.authPort);
    const p = parsed(answer);
    assert.equal(p.code, CODE.AccessAccept);
    assert.equal(p.bytes[20], ATTR.MessageAuthenticator);
    assert.ok(verifyResponse(p, req.subarray(4, 20), Buffer.from(SECRET), true));
  });

  it('refuses a Message-Authenticator that differs from the right one only in bytes above 0x7f', async () => {
    h = await startHarness();
    let req: Buffer;
    let right: Buffer;
    let wrong: Buffer;
    // Find a request whose right Message-Authenticator has bytes above 0x7f that can be
    // changed (each to another lone continuation byte) without changing its UTF-8 reading.
    for (;;) {
      req = accessRequest([
        ['User-Name', 'alice'],
        ['User-Password', PASSWORD],
      ]);
      const off = req.length - 16; // the package puts it last
      const zeroed = Buffer.from(req);
      zeroed.fill(0, off);
      right = createHmac('md5', SECRET).update(zeroed).digest();
      assert.deepEqual(req.subarray(off), right);
      wrong = Buffer.from(right);
      for (let i = 0; i < 16; i++) if (wrong[i] > 0x7f) wrong[i] = wrong[i] === 0x80 ? 0x81 : 0x80;
      if (!wrong.equals(right) && wrong.toString() === right.toString()) {
        wrong.copy(req, off);
        break;
      }
    }
    assert.notDeepEqual(wrong, right);
    for (let i = 0; i < 16; i++) if (right[i] <= 0x7f) assert.equal(wrong[i], right[i]);
    // The package, comparing UTF-8 strings, cannot tell them apart ...
    assert.doesNotThrow(() => radiusPackage.decode({ packet: Buffer.from(req), secret: SECRET }));
    // ... the server can.
    assert.equal(await exchange(req, h.authPort), undefined);
    assert.equal(h.authorized.length, 0);
    assert.ok(h.observed.some(([, , r]) => r === 'dropped:bad-message-authenticator'));
  });

  it('answers a retransmission from the cache: authorize() runs once, the bytes are the same', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    h = await startHarness({
      decide: async () => {
        await gate;
        return { result: 'accept', sessionTimeout: 60 };
      },
    });
    const p = await peer();
    try {
      const req = accessRequest([
        ['User-Name', 'alice'],
        ['User-Password', PASSWORD],
      ]);
      p.send(req, h.authPort);
      await new Promise((r) => setTimeout(r, 50));
      p.send(req, h.authPort); // while the first is in progress: dropped
      await new Promise((r) => setTimeout(r, 50));
      release();
      const first = await p.next();
      assert.ok(first);
      assert.equal(await p.next(150), undefined, 'the in-progress duplicate got no second answer');
      p.send(req, h.authPort); // after the answer: the cached answer again
      const again = await p.next();
      assert.deepEqual(again, first);
      assert.equal(h.authorized.length, 1);
      assert.ok(h.observed.some(([, , r]) => r === 'dropped:duplicate-in-progress'));
      assert.ok(h.observed.some(([, , r]) => r === 'retransmission'));
    } finally {
      p.close();
    }
  });

  it("sends nothing for a 'drop' decision, and processes a retransmission afresh", async () => {
    let n = 0;
    h = await startHarness({
      decide: () => (n++ === 0 ? { result: 'drop', reason: 'database down' } : { result: 'accept' }),
    });
    const p = await peer();
    try {
      const req = accessRequest([
        ['User-Name', 'alice'],
        ['User-Password', PASSWORD],
      ]);
      p.send(req, h.authPort);
      assert.equal(await p.next(300), undefined);
      p.send(req, h.authPort);
      assert.equal(parsed(await p.next()).code, CODE.AccessAccept);
      assert.equal(h.authorized.length, 2);
    } finally {
      p.close();
    }
  });

  it('sends nothing when authorize() throws, and keeps serving', async () => {
    let n = 0;
    h = await startHarness({
      decide: () => {
        if (n++ === 0) throw new Error('boom');
        return { result: 'accept' };
      },
    });
    assert.equal(
      await exchange(
        accessRequest([
          ['User-Name', 'a'],
          ['User-Password', 'x'],
        ]),
        h.authPort,
      ),
      undefined,
    );
    const req = accessRequest([
      ['User-Name', 'a'],
      ['User-Password', 'x'],
    ]);
    assert.equal(parsed(await exchange(req, h.authPort)).code, CODE.AccessAccept);
  });

  it('puts the MikroTik rate limit (rx/tx = up/down) and total limit in an accept for a mikrotik NAS', async () => {
    h = await startHarness({
      clients: { '127.0.0.1': nas({ replyProfile: 'mikrotik' }) },
      decide: () => ({
        result: 'accept',
        sessionTimeout: 7200,
        idleTimeout: 900,
        interimInterval: 300,
        class: 'grant:42',
        bandwidth: { upKbps: 2048, downKbps: 8192 },
        dataLimitBytes: 6 * 2 ** 30,
        replyMessage: 'Welcome',
      }),
    });
    const req = accessRequest([
      ['User-Name', 'alice'],
      ['User-Password', PASSWORD],
    ]);
    const attrs = genuine(req, await exchange(req, h.authPort), CODE.AccessAccept);
    assert.equal(attrs['Session-Timeout'], 7200);
    assert.equal(attrs['Idle-Timeout'], 900);
    assert.equal(attrs['Acct-Interim-Interval'], 300);
    assert.equal((attrs['Class'] as Buffer).toString(), 'grant:42');
    assert.equal(attrs['Reply-Message'], 'Welcome');
    const vsa = attrs['Vendor-Specific'] as Record<string, unknown>;
    assert.equal(vsa['Mikrotik-Rate-Limit'], '2048k/8192k');
    assert.equal(vsa['Mikrotik-Total-Limit'], (6 * 2 ** 30) % 2 ** 32);
    assert.equal(vsa['Mikrotik-Total-Limit-Gigawords'], 1);
    assert.equal(vsa['WISPr-Bandwidth-Max-Up'], undefined);
  });

  it('puts WISPr (bit/s) and ChilliSpot (kbit/s, octets) attributes in an accept for a coovachilli NAS', async () => {
    h = await startHarness({
      clients: { '127.0.0.1': nas({ replyProfile: 'chillispot' }) },
      decide: () => ({ result: 'accept', bandwidth: { upKbps: 1024, downKbps: 4096 }, dataLimitBytes: 500_000_000 }),
    });
    const req = accessRequest([
      ['User-Name', 'alice'],
      ['User-Password', PASSWORD],
    ]);
    const vsa = genuine(req, await exchange(req, h.authPort), CODE.AccessAccept)['Vendor-Specific'] as Record<
      string,
      unknown
    >;
    assert.equal(vsa['WISPr-Bandwidth-Max-Up'], 1_024_000);
    assert.equal(vsa['WISPr-Bandwidth-Max-Down'], 4_096_000);
    assert.equal(vsa['ChilliSpot-Bandwidth-Max-Up'], 1024);
    assert.equal(vsa['ChilliSpot-Bandwidth-Max-Down'], 4096);
    assert.equal(vsa['ChilliSpot-Max-Total-Octets'], 500_000_000);
  });

  it('echoes Proxy-State attributes in order, after ours', async () => {
    h = await startHarness();
    const req = accessRequest([
      ['User-Name', 'alice'],
      ['User-Password', PASSWORD],
      ['Proxy-State', Buffer.from('one')],
      ['Proxy-State', Buffer.from('two')],
    ]);
    const p = parsed(await exchange(req, h.authPort));
    const tail = p.bytes.subarray(p.bytes.length - 10);
    assert.deepEqual(tail, Buffer.from([33, 5, ...Buffer.from('one'), 33, 5, ...Buffer.from('two')]));
  });

  it('answers over IPv6 (::1) on a dual-stack socket, and IPv4 on the same socket arrives as plain IPv4', async () => {
    h = await startHarness({ host: '::' });
    const req6 = accessRequest([
      ['User-Name', 'alice'],
      ['User-Password', PASSWORD],
    ]);
    genuine(req6, await exchange(req6, h.authPort, '::1'), CODE.AccessAccept);
    const req4 = accessRequest([
      ['User-Name', 'alice'],
      ['User-Password', PASSWORD],
    ]);
    genuine(req4, await exchange(req4, h.authPort, '127.0.0.1'), CODE.AccessAccept);
    assert.equal(h.authorized.length, 2);
  });

  it('answers Status-Server (RFC 5997) with an Access-Accept and does not ask policy', async () => {
    h = await startHarness();
    const req = radiusPackage.encode({
      code: 'Status-Server',
      identifier: 9,
      secret: SECRET,
      attributes: [],
      add_message_authenticator: true,
    });
    genuine(req, await exchange(req, h.authPort), CODE.AccessAccept);
    assert.equal(h.authorized.length, 0);
  });
});

describe('radius server: what is dropped', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(async () => h.stop());

  const good = () =>
    accessRequest([
      ['User-Name', 'alice'],
      ['User-Password', PASSWORD],
    ]);

  function mutated(f: (b: Buffer) => Buffer): Buffer {
    return f(Buffer.from(good()));
  }

  const cases: Array<[string, () => Buffer]> = [
    ['an empty datagram', () => Buffer.alloc(0)],
    ['a truncated header', () => good().subarray(0, 12)],
    ['a datagram shorter than its length field', () => good().subarray(0, good().length - 3)],
    ['a length field below 20', () => mutated((b) => (b.writeUInt16BE(19, 2), b))],
    ['a length field above 4096', () => mutated((b) => (b.writeUInt16BE(5000, 2), b))],
    ['an attribute of length 0', () => mutated((b) => ((b[21] = 0), b))],
    ['an attribute of length 1', () => mutated((b) => ((b[21] = 1), b))],
    ['an attribute running past the end', () => mutated((b) => ((b[21] = 250), b))],
    ['an unknown code on the auth port', () => mutated((b) => ((b[0] = 99), b))],
    ['an Accounting-Request on the auth port', () => accountingRequest([['Acct-Status-Type', 'Start']])],
    [
      // Checked before anything is answered, though the password is decrypted only when policy asks (MAC authentication never does).
      'a User-Password whose length is not a multiple of 16',
      () => {
        const auth = randomBytes(16);
        const attrs = [
          { type: ATTR.UserName, value: Buffer.from('alice') },
          { type: ATTR.UserPassword, value: randomBytes(17) },
        ];
        return signAccessRequest(writePacket(CODE.AccessRequest, 7, auth, attrs, true), 22, Buffer.from(SECRET));
      },
    ],
    [
      'a Message-Authenticator of the wrong length',
      () => Buffer.concat([Buffer.from([1, 1, 0, 25]), randomBytes(16), Buffer.from([80, 5, 1, 2, 3])]),
    ],
  ];
  for (const [name, make] of cases) {
    it(`drops ${name}`, async () => {
      const before = h.authorized.length;
      assert.equal(await exchange(make(), h.authPort, '127.0.0.1', 200), undefined);
      assert.equal(h.authorized.length, before);
    });
  }

  it('drops packets from an unknown address and rate-limits the log lines about them', async () => {
    const other = await startHarness({ clients: {} });
    try {
      for (let i = 0; i < 5; i++) assert.equal(await exchange(good(), other.authPort, '127.0.0.1', 100), undefined);
      const warns = other.logger.lines.filter((l) => l.msg === 'radius packet dropped');
      assert.equal(warns.length, 1, 'one line per source per window');
      assert.equal(other.observed.filter(([, , r]) => r === 'dropped:unknown-client').length, 5);
    } finally {
      await other.stop();
    }
  });

  it('survives 20,000 random datagrams at both ports and still answers correct requests', async function () {
    this.timeout(30000);
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const send = (b: Buffer, port: number) => new Promise<void>((r) => socket.send(b, port, '127.0.0.1', () => r()));
    for (let i = 0; i < 20_000; i++) {
      const len = Math.floor(Math.random() * 120);
      const b = randomBytes(len);
      // Every other one looks like a real header so it reaches the deeper checks.
      if (i % 2 && len >= 20) {
        b[0] = i % 4 === 1 ? 1 : 4;
        b.writeUInt16BE(len, 2);
      }
      await send(b, i % 2 ? h.authPort : h.acctPort);
      // Client and server share this event loop: let the server read now and then,
      // or the kernel drops most of the flood before the server sees it.
      if (i % 32 === 0) await new Promise((r) => setImmediate(r));
    }
    socket.close();
    // Like a NAS, retry: a request can still be lost behind the tail of the flood in the kernel queue.
    const retrying = async (req: Buffer, port: number) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const answer = await exchange(req, port, '127.0.0.1', 1000);
        if (answer) return answer;
      }
      return undefined;
    };
    const req = good();
    genuine(req, await retrying(req, h.authPort), CODE.AccessAccept);
    const acct = accountingRequest([
      ['Acct-Status-Type', 'Start'],
      ['Acct-Session-Id', 'after-flood'],
    ]);
    assert.equal(parsed(await retrying(acct, h.acctPort)).code, CODE.AccountingResponse);
    const dropped = h.observed.filter(([, , r]) => r.startsWith('dropped:')).length;
    assert.ok(dropped > 10_000, `the server saw and dropped most of the flood (${dropped})`);
    assert.ok(
      h.logger.lines.filter((l) => l.msg === 'radius packet dropped').length <= 2,
      'log lines about drops are rate limited',
    );
  });
});

describe('radius server: accounting', () => {
  let h: Harness;
  afterEach(async () => h?.stop());

  async function account(attrs: Attr[]): Promise<AccountingRecord> {
    const req = accountingRequest(attrs);
    const p = parsed(await exchange(req, h.acctPort));
    assert.equal(p.code, CODE.AccountingResponse);
    assert.ok(verifyResponse(p, req.subarray(4, 20), Buffer.from(SECRET), false));
    assert.ok(radiusPackage.verify_response({ request: req, response: Buffer.from(p.bytes), secret: SECRET }));
    return h.accounted[h.accounted.length - 1];
  }

  it('records Start, Interim-Update, Stop, Accounting-On and Accounting-Off', async () => {
    h = await startHarness();
    const start = await account([
      ['Acct-Status-Type', 'Start'],
      ['Acct-Session-Id', 's-1'],
      ['User-Name', 'alice'],
      ['Calling-Station-Id', 'AA-BB'],
      ['Called-Station-Id', 'ssid'],
      ['Framed-IP-Address', '10.0.0.7'],
      ['Class', Buffer.from('grant:1')],
    ]);
    assert.equal(start.status, 'start');
    assert.equal(start.sessionId, 's-1');
    assert.equal(start.userName, 'alice');
    assert.equal(start.callingStationId, 'AA-BB');
    assert.equal(start.calledStationId, 'ssid');
    assert.equal(start.framedIpAddress, '10.0.0.7');
    assert.equal(start.class, 'grant:1');
    assert.ok(Math.abs(start.eventTime.getTime() - Date.now()) < 5000, 'receive time without Event-Timestamp');

    const interim = await account([
      ['Acct-Status-Type', 'Interim-Update'],
      ['Acct-Session-Id', 's-1'],
      ['Acct-Input-Octets', 100],
      ['Acct-Input-Gigawords', 2],
      ['Acct-Output-Octets', 5],
      ['Acct-Session-Time', 60],
      ['Event-Timestamp', new Date(1_700_000_000_000)],
    ]);
    assert.equal(interim.status, 'interim');
    assert.equal(interim.inputOctets, 2 * 2 ** 32 + 100);
    assert.equal(interim.outputOctets, 5);
    assert.equal(interim.sessionTimeSeconds, 60);
    assert.equal(interim.eventTime.getTime(), 1_700_000_000_000);

    const stop = await account([
      ['Acct-Status-Type', 'Stop'],
      ['Acct-Session-Id', 's-1'],
      ['Acct-Terminate-Cause', 'Idle-Timeout'],
      ['Acct-Output-Gigawords', 1],
    ]);
    assert.equal(stop.status, 'stop');
    assert.equal(stop.terminateCause, 'Idle-Timeout');
    assert.equal(stop.outputOctets, 2 ** 32);

    assert.equal((await account([['Acct-Status-Type', 'Accounting-On']])).status, 'accounting-on');
    assert.equal((await account([['Acct-Status-Type', 'Accounting-Off']])).status, 'accounting-off');
  });

  it('answers only after account() resolves', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    h = await startHarness({ account: () => gate });
    const p = await peer();
    try {
      p.send(
        accountingRequest([
          ['Acct-Status-Type', 'Start'],
          ['Acct-Session-Id', 'slow'],
        ]),
        h.acctPort,
      );
      assert.equal(await p.next(300), undefined, 'no answer while storing');
      release();
      assert.equal(parsed(await p.next()).code, CODE.AccountingResponse);
    } finally {
      p.close();
    }
  });

  it('sends no answer when account() throws', async () => {
    h = await startHarness({ account: async () => Promise.reject(new Error('disk full')) });
    assert.equal(
      await exchange(
        accountingRequest([
          ['Acct-Status-Type', 'Stop'],
          ['Acct-Session-Id', 'x'],
        ]),
        h.acctPort,
      ),
      undefined,
    );
    assert.ok(h.logger.lines.some((l) => l.level === 'error'));
  });

  it('drops accounting with a wrong Request Authenticator (wrong secret)', async () => {
    h = await startHarness();
    assert.equal(
      await exchange(accountingRequest([['Acct-Status-Type', 'Start']], 'wrong-secret'), h.acctPort),
      undefined,
    );
    assert.equal(h.accounted.length, 0);
    assert.ok(h.observed.some(([, , r]) => r === 'dropped:bad-authenticator'));
  });

  it('drops accounting signed the way the radius package signs it with a Message-Authenticator (wrong order)', async () => {
    h = await startHarness();
    const req = radiusPackage.encode({
      code: 'Accounting-Request',
      identifier: 5,
      secret: SECRET,
      attributes: [['Acct-Status-Type', 'Start']],
      add_message_authenticator: true,
    });
    assert.equal(await exchange(req, h.acctPort), undefined);
    assert.equal(h.accounted.length, 0);
  });

  it('answers an accounting retransmission from the cache and stores it once', async () => {
    h = await startHarness();
    const p = await peer();
    try {
      const req = accountingRequest([
        ['Acct-Status-Type', 'Interim-Update'],
        ['Acct-Session-Id', 'dup'],
      ]);
      p.send(req, h.acctPort);
      const first = await p.next();
      p.send(req, h.acctPort);
      assert.deepEqual(await p.next(), first);
      assert.equal(h.accounted.length, 1);
    } finally {
      p.close();
    }
  });
});
