// RFC 5176 client against a local responder acting as the NAS, and against radclient.
import assert from 'node:assert/strict';
import { buildCoaPacket, sendCoa, sendDisconnect } from '../../radius/coa-client.ts';
import { ATTR, CODE, parsePacket, type RawPacket } from '../../radius/codec.ts';
import {
  verifyAccountingMessageAuthenticator,
  verifyAccountingRequestAuthenticator,
} from '../../radius/authenticators.ts';
import { needs, requirements } from '../support/env.ts';
import { SECRET } from '../support/radius-harness.ts';
import { radclient } from '../support/radius-radclient.ts';
import { startFakeNas, type FakeNas } from '../support/radius-nas.ts';

const secret = Buffer.from(SECRET);
const session = {
  userName: 'guest-4711',
  acctSessionId: '80000001',
  callingStationId: 'AA-BB-CC-DD-EE-FF',
  framedIpAddress: '10.5.50.23',
};

describe('CoA client (RFC 5176)', () => {
  let nasSim: FakeNas | undefined;
  afterEach(async () => {
    await nasSim?.close();
    nasSim = undefined;
  });

  it('sends a Disconnect-Request a NAS accepts as genuine and reports the ACK', async () => {
    nasSim = await startFakeNas(secret, () => 'ack');
    const r = await sendDisconnect({ host: '127.0.0.1', port: nasSim.port, secret: SECRET }, session, {
      timeoutMs: 500,
    });
    assert.equal(r.result, 'ack');
    const got = nasSim.received[0];
    assert.ok(got.genuine, 'Request Authenticator and Message-Authenticator verify');
    assert.equal(got.packet.code, CODE.DisconnectRequest);
    assert.equal(got.packet.bytes[20], ATTR.MessageAuthenticator, 'Message-Authenticator first');
    assert.equal(got.attributes['User-Name'], 'guest-4711');
    assert.equal(got.attributes['Acct-Session-Id'], '80000001');
    assert.equal(got.attributes['Calling-Station-Id'], 'AA-BB-CC-DD-EE-FF');
    assert.equal(got.attributes['Framed-IP-Address'], '10.5.50.23');
  });

  it('reports a NAK with its Error-Cause by name', async () => {
    nasSim = await startFakeNas(secret, () => ({ nak: 503 }));
    const r = await sendDisconnect({ host: '127.0.0.1', port: nasSim.port, secret }, session, { timeoutMs: 500 });
    assert.equal(r.result, 'nak');
    assert.equal(r.errorCause, 'Session-Context-Not-Found');
    assert.equal(r.replyAttributes['Error-Cause'], 'Session-Context-Not-Found');
  });

  it('sends a CoA-Request with Session-Timeout and the vendor bandwidth attributes', async () => {
    nasSim = await startFakeNas(secret, () => 'ack');
    const r = await sendCoa(
      { host: '127.0.0.1', port: nasSim.port, secret },
      { acctSessionId: 's-9' },
      { sessionTimeout: 900, bandwidth: { upKbps: 512, downKbps: 2048 }, replyProfile: 'mikrotik' },
      { timeoutMs: 500 },
    );
    assert.equal(r.result, 'ack');
    const got = nasSim.received[0];
    assert.equal(got.packet.code, CODE.CoaRequest);
    assert.equal(got.attributes['Session-Timeout'], 900);
    assert.equal((got.attributes['Vendor-Specific'] as Record<string, unknown>)['Mikrotik-Rate-Limit'], '512k/2048k');
  });

  it('retries the identical packet and reports a timeout when nothing answers', async () => {
    nasSim = await startFakeNas(secret, () => 'silent');
    const started = Date.now();
    const r = await sendDisconnect({ host: '127.0.0.1', port: nasSim.port, secret }, session, {
      timeoutMs: 150,
      retries: 2,
    });
    assert.equal(r.result, 'timeout');
    assert.ok(Date.now() - started >= 400);
    assert.equal(nasSim.received.length, 3);
    assert.deepEqual(nasSim.received[1].packet.bytes, nasSim.received[0].packet.bytes);
  });

  it('ignores an answer signed with another secret (keeps waiting, then times out)', async () => {
    nasSim = await startFakeNas(Buffer.from('other-secret'), () => 'ack');
    const r = await sendDisconnect({ host: '127.0.0.1', port: nasSim.port, secret }, session, {
      timeoutMs: 150,
      retries: 0,
    });
    assert.equal(r.result, 'timeout');
  });

  it('builds requests whose Message-Authenticator (zeroed authenticator) and Request Authenticator both verify', () => {
    const ours = buildCoaPacket(CODE.DisconnectRequest, 7, [{ name: 'User-Name', value: 'x' }], secret);
    const p = parsePacket(ours) as RawPacket;
    assert.ok(verifyAccountingRequestAuthenticator(p, secret));
    assert.ok(verifyAccountingMessageAuthenticator(p, secret));
  });
});

describe('CoA client interop with radclient', () => {
  before(function () {
    needs(this, requirements.radclient);
  });
  let nasSim: FakeNas | undefined;
  afterEach(async () => {
    await nasSim?.close();
    nasSim = undefined;
  });

  it('radclient Disconnect-Request is decoded and verified by our codec, and radclient accepts our ACK', async () => {
    nasSim = await startFakeNas(secret, () => 'ack');
    const { out } = await radclient(
      `127.0.0.1:${nasSim.port}`,
      'disconnect',
      SECRET,
      'User-Name = "guest-4711"\nAcct-Session-Id = "80000001"\nMessage-Authenticator = 0x00\n',
    );
    assert.match(out, /Received Disconnect-ACK/);
    const got = nasSim.received[0];
    assert.ok(got.genuine);
    assert.equal(got.attributes['Acct-Session-Id'], '80000001');
  });

  it('radclient reads our NAK with Error-Cause', async () => {
    nasSim = await startFakeNas(secret, () => ({ nak: 503 }));
    const { out } = await radclient(
      `127.0.0.1:${nasSim.port}`,
      'coa',
      SECRET,
      'User-Name = "guest-4711"\nSession-Timeout = 60\nMessage-Authenticator = 0x00\n',
    );
    assert.match(out, /Received CoA-NAK/);
    assert.match(out, /Error-Cause = Session-Context-Not-Found/);
  });
});
