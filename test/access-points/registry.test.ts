import assert from 'node:assert/strict';
import { ADAPTERS, adapterFor, detectAdapter } from '../../portal/access-points/index.ts';
import { generic } from '../../portal/access-points/generic.ts';
import { HandoffError } from '../../portal/access-points/handoff.ts';
import { accessRequestFor } from '../../portal/access-points/nas-request.ts';
import { VENDORS } from '../../portal/access-points/registry.ts';

const query = (qs: string) => Object.fromEntries(new URLSearchParams(qs));

describe('access points: registry and generic adapter', () => {
  it('has an adapter for every vendor a NAS can be registered with', () => {
    for (const v of VENDORS) assert.equal(adapterFor(v)?.vendor, v, v);
    assert.equal(adapterFor('nonsense'), undefined);
    assert.equal(ADAPTERS.at(-1), generic);
  });

  it('detects each vendor from its own parameters, generic last', () => {
    const cases: Array<[string, string]> = [
      [
        'coovachilli',
        'res=notyet&uamip=10.1.0.1&uamport=3990&challenge=00112233445566778899aabbccddeeff&mac=00-11-22-33-44-55',
      ],
      ['mikrotik', 'link-login-only=http%3A%2F%2F10.5.50.1%2Flogin&mac=00:11:22:33:44:55'],
      [
        'meraki',
        'login_url=https%3A%2F%2Fx.network-auth.com%2F&continue_url=http%3A%2F%2Fa%2F&ap_mac=00:18:0a:00:00:01&client_mac=00:11:22:33:44:55',
      ],
      [
        'meraki',
        'base_grant_url=https%3A%2F%2Fx.network-auth.com%2Fgrant&user_continue_url=http%3A%2F%2Fa%2F&node_mac=00:18:0a:00:00:01',
      ],
      [
        'cisco',
        'switch_url=https%3A%2F%2F192.0.2.1%2Flogin.html&client_mac=00:11:22:33:44:55&ap_mac=00:3a:7d:00:00:01&wlan=x',
      ],
      ['ruckus', 'nbiIP=192.0.2.20&client_mac=ENC00112233445566778899&uip=ENC00112233445566778899&sip=sz.example'],
      ['unifi', 'id=00:11:22:33:44:55&ap=78:8a:20:00:00:01&t=1717171717&url=http%3A%2F%2Fa%2F&ssid=x'],
      ['opennds', 'fas=aGlkPTEsIGNsaWVudGlwPTEuMi4zLjQ%3D&iv=0123456789abcdef'],
      [
        'aruba',
        'cmd=login&mac=00:11:22:33:44:55&essid=x&ip=10.0.0.2&switchip=securelogin.arubanetworks.com&url=http%3A%2F%2Fa%2F',
      ],
      [
        'pfsense',
        'portal_action=https%3A%2F%2F192.168.1.1%3A8003%2Findex.php%3Fzone%3Dguest&zone=guest&redirurl=http%3A%2F%2Fa%2F',
      ],
      ['opnsense', 'zoneid=0&portal=https%3A%2F%2F192.168.1.1%3A8000%2F&redirurl=http%3A%2F%2Fa%2F'],
      ['generic', 'mac=00:11:22:33:44:55&ip=10.0.0.2&login_url=http%3A%2F%2F10.0.0.1%2Flogin'],
      ['generic', ''],
    ];
    for (const [vendor, qs] of cases) assert.equal(detectAdapter(query(qs)).vendor, vendor, qs);
  });

  it('generic: reads the documented names and appends credentials to login_url', async () => {
    const h = generic.parse(
      query(
        'mac=AA-BB-CC-00-11-22&ip=10.0.0.2&nas=gw-1&ap=00:11:22:33:44:55&ssid=Cafe&login_url=http%3A%2F%2F10.0.0.1%2Flogin%3Fx%3D1&challenge=00112233445566778899aabbccddeeff&url=http%3A%2F%2Fexample.com%2F',
      ),
      {},
    );
    assert.equal(h.clientMac, 'aa:bb:cc:00:11:22');
    assert.equal(h.clientMacPrivate, true);
    assert.equal(h.nasId, 'gw-1');
    assert.equal(h.apMac, '00:11:22:33:44:55');
    assert.equal(h.challenge, '00112233445566778899aabbccddeeff');
    const back = await generic.handBack(h, { username: 'g', password: 'p&w' }, {});
    assert.equal(back.kind, 'redirect');
    const u = new URL((back as { url: string }).url);
    assert.equal(u.searchParams.get('x'), '1');
    assert.equal(u.searchParams.get('username'), 'g');
    assert.equal(u.searchParams.get('password'), 'p&w');
    assert.equal(u.searchParams.get('url'), 'http://example.com/');
    assert.equal(accessRequestFor(h, back)!.userPassword, 'p&w');
  });

  it('generic: done when there is no login_url; ap may be a name', async () => {
    const h = generic.parse(query('mac=00:11:22:33:44:55&ap=Lobby&url=http%3A%2F%2Fexample.com%2F'), {});
    assert.equal(h.nasId, 'Lobby');
    assert.equal(h.apMac, undefined);
    assert.deepEqual(await generic.handBack(h, { username: 'g', password: 'p' }, {}), {
      kind: 'done',
      url: 'http://example.com/',
    });
  });

  it('generic: refuses malformed values', () => {
    for (const qs of [
      'mac=nope',
      'login_url=javascript%3Aalert(1)',
      'challenge=xyz',
      'ip=not-an-ip',
      'mac=01:00:5e:00:00:01',
    ]) {
      assert.throws(() => generic.parse(query(qs), {}), HandoffError, qs);
    }
  });
});
