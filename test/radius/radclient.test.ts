// Interop: FreeRADIUS's radclient as the NAS against our server.
import assert from 'node:assert/strict';
import { needs, requirements } from '../support/env.ts';
import { PASSWORD, SECRET, nas, startHarness, type Harness } from '../support/radius-harness.ts';
import { radclient } from '../support/radius-radclient.ts';

describe('interop: radclient against the Foyer RADIUS server', () => {
  before(function () {
    needs(this, requirements.radclient);
  });
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      clients: { '127.0.0.1': nas({ replyProfile: 'mikrotik' }) },
      decide: (r) => {
        const ok = r.userName === r.callingStationId ? r.checkPassword(r.userName) : r.checkPassword(PASSWORD);
        return ok
          ? { result: 'accept', sessionTimeout: 3600, bandwidth: { upKbps: 2048, downKbps: 8192 } }
          : { result: 'reject', replyMessage: 'no' };
      },
    });
  });
  afterEach(async () => h.stop());
  const auth = (input: string, secret = SECRET) => radclient(`127.0.0.1:${h.authPort}`, 'auth', secret, input);
  const acct = (input: string) => radclient(`127.0.0.1:${h.acctPort}`, 'acct', SECRET, input);
  const MA = 'Message-Authenticator = 0x00\n';

  it('PAP: radclient verifies our Access-Accept (Message-Authenticator first) and reads the MikroTik attributes', async () => {
    const { out, code } = await auth(`User-Name = "alice"\nUser-Password = "${PASSWORD}"\n${MA}`);
    assert.equal(code, 0, out);
    assert.match(out, /Received Access-Accept[^\n]*\n\s+Message-Authenticator = 0x/);
    assert.match(out, /Mikrotik-Rate-Limit = "2048k\/8192k"/);
    assert.match(out, /Session-Timeout = 3600/);
  });

  it('PAP with a wrong password: Access-Reject with Reply-Message', async () => {
    const { out } = await auth(`User-Name = "alice"\nUser-Password = "wrong"\n${MA}`);
    assert.match(out, /Received Access-Reject/);
    assert.match(out, /Reply-Message = "no"/);
  });

  it('CHAP', async () => {
    const { out, code } = await auth(`User-Name = "alice"\nCHAP-Password = "${PASSWORD}"\n${MA}`);
    assert.equal(code, 0, out);
    assert.equal(h.authorized[0].method, 'chap');
  });

  it('MAC authentication (User-Name = MAC = password)', async () => {
    const mac = 'AA-BB-CC-DD-EE-FF';
    const { out, code } = await auth(
      `User-Name = "${mac}"\nUser-Password = "${mac}"\nCalling-Station-Id = "${mac}"\n${MA}`,
    );
    assert.equal(code, 0, out);
    assert.equal(h.authorized[0].userName, mac);
  });

  it('accounting Start, Interim-Update and Stop with a Message-Authenticator', async () => {
    for (const status of ['Start', 'Interim-Update', 'Stop']) {
      const { out } = await acct(
        `User-Name = "alice"\nAcct-Status-Type = ${status}\nAcct-Session-Id = "rc-1"\nAcct-Input-Octets = 10\nAcct-Input-Gigawords = 1\n${MA}`,
      );
      assert.match(out, /Received Accounting-Response/, out);
    }
    assert.deepEqual(
      h.accounted.map((r) => r.status),
      ['start', 'interim', 'stop'],
    );
    assert.equal(h.accounted[2].inputOctets, 2 ** 32 + 10);
  });

  it('wrong secret: no answer', async () => {
    const { out } = await auth(`User-Name = "alice"\nUser-Password = "${PASSWORD}"\n${MA}`, 'wrong-secret');
    assert.match(out, /No reply/);
    assert.equal(h.authorized.length, 0);
  });

  it('no Message-Authenticator: dropped', async () => {
    const { out } = await auth(`User-Name = "alice"\nUser-Password = "${PASSWORD}"\n`);
    assert.match(out, /No reply/);
    assert.equal(h.authorized.length, 0);
  });
});
